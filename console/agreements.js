// #/agreements[/ID]: each agreement's state now and each party's membership,
// the countdowns to the next notice deadline and the end of the term, the
// timeline of terms and notes with a lane per party, the equivalence annex
// in each party's script, and "what if" at an instant.
"use strict";

import { h, s, replace, errorBox, missingBox, table, field, select, badge, stateBadge, countdown, serverClock,
	setServerNow, now, fmt, fmtInstant, fmtZone, zoneMinutes, langOf, when, displayZone } from "./dom.js";
import { get, enc, q, ApiError } from "./api.js";

export async function agreementsPage(main, rest) {
	const list = await get("/v1/local/agreements");
	if (list.at) setServerNow(list.at);
	const ags = list.agreements || [];
	if (ags.length === 0) {
		replace(main, h("h1", "Agreements"), h("p.empty", { test: "agreements-empty" }, "This node holds no agreement."));
		return;
	}
	const chosen = ags.find((a) => a.id === rest) || ags.find((a) => /KOR-JPN/.test(a.id)) || ags[0];
	const detail = h("section.detail", { test: "agreement-detail" }, h("p.loading", "Loading…"));
	replace(main,
		h("div.page-head", h("h1", "Agreements"),
			h("div.clockline", "Node clock: ", serverClock(undefined, "server-now"))),
		h("div.split",
			h("aside.list", { test: "agreements-list" }, ags.map((a) =>
				h("a.row", { href: `#/agreements/${enc(a.id)}`, test: "agreement-link", dataset: { agreement: a.id },
					class: a.id === chosen.id ? "active" : "" },
				h("span.id", a.id), stateBadgeSmall(a.state),
				h("span.sub", a.title || ""),
				a.signed === false ? badge("not signed by all", "warn") : null))),
			detail));
	await agreementDetail(detail, chosen.id);
}

function stateBadgeSmall(state) {
	const b = stateBadge(state);
	b.removeAttribute("data-test");
	b.classList.add("small");
	return b;
}

async function agreementDetail(el, id) {
	let view = null, status = null, missing = null;
	try {
		view = await get(`/v1/local/agreements/${enc(id)}`);
		status = view.status || null;
		if (view.now) setServerNow(view.now);
	} catch (e) {
		if (!(e instanceof ApiError && e.missing)) throw e;
		missing = e;
	}
	if (!status) {
		status = await get(`/v1/local/agreements/${enc(id)}/status`);
		if (!view && status.at) setServerNow(status.at);
	}
	const zone = view && view.zone !== undefined ? zoneMinutes(view.zone) : guessZone(status);
	const card = h("article.card.agreement", { test: "agreement-card", dataset: { agreement: id } });
	card.append(
		h("header.card-head",
			h("h2", view && view.title ? view.title : id),
			h("div.meta", h("span", { test: "agreement-id" }, id), ` · version ${status.version ?? "?"}`,
				view && view.parties ? ` · parties ${view.parties.join(", ")}` : "",
				` · the agreement's zone ${fmtZone(zone)}`)),
		...[stateSection(status, zone), membersSection(status),
			countdownSection(view, status, zone, id)].filter(Boolean));
	if (missing) card.append(missingBox(`GET /v1/local/agreements/${id} (annex, timeline, what-if of this agreement); the state above is from /status.`, missing));
	card.append(timelineSection(view, status, zone));
	if (view) card.append(annexSection(view));
	card.append(whatifSection(id, zone, view));
	replace(el, card);
}

// Without the agreement view, the agreement's zone is read off the start of
// its term, which is a local midnight.
function guessZone(st) {
	const t = Date.parse(st.term_start || st.in_force_since || "");
	if (Number.isNaN(t)) return 0;
	const m = new Date(t).getUTCHours() * 60 + new Date(t).getUTCMinutes();
	return m === 0 ? 0 : m > 720 ? 1440 - m : -m;
}

// An instant in the display zone, UTC on hover (every time on the page alike).
function both(instant) {
	return when(instant);
}

function stateSection(st, zone) {
	const rows = [
		["State", stateBadge(st.state)],
		["Why", h("span", { test: "agreement-reason" }, st.reason || "—")],
		["In force since", both(st.in_force_since)],
		["Term", st.term ? h("span", { test: "agreement-term" }, `${st.term}: `, both(st.term_start), " → ", both(st.term_end)) : "—"],
		["Computed at", h("span", { test: "agreement-at" }, both(st.at))],
	];
	if (st.missing_signatures) rows.push(["Missing signatures", st.missing_signatures]);
	return h("section.block", h("h3", "The state now"),
		h("dl.kv", rows.map(([k, v]) => [h("dt", k), h("dd", v)])));
}

// Each party's standing now (docs/lifecycle.md "Members"): a notice ends a
// multilateral agreement for its sender only.
const MEMBER_KIND = { in_force: "ok", notice_pending: "bad", notice_suspended: "warn", withdrawn: "muted",
	terminated: "bad", acceding: "warn", signatory: "muted" };

function memberWhen(m) {
	if (m.left_at) return `left ${fmt(m.left_at)}`;
	if (m.leaves_at) return `leaves ${fmt(m.leaves_at)}`;
	if (m.state === "acceding" && m.joined_at) return `a member from ${fmt(m.joined_at)}`;
	if (m.state === "acceding") return `acceded ${fmt(m.accession_at)}, awaiting acceptance`;
	return m.joined_at ? `since ${fmt(m.joined_at)}` : "—";
}

function membersSection(st) {
	const members = st.members || [];
	if (members.length === 0) return null;
	return h("section.block", { test: "members" }, h("h3", "Members"),
		table([
			{ label: "Party", get: (m) => h("span", { test: "member-party" }, m.party) },
			{ label: "State", get: (m) => badge(m.state.replace(/_/g, " "), MEMBER_KIND[m.state] || "plain", "member-state") },
			{ label: "When", get: (m) => h("span", { test: "member-when" }, memberWhen(m)) },
			{ label: "How", get: (m) => (m.original ? "signatory" : `accession ${fmt(m.accession_at)}`) },
		], members, "members-table", "No party."));
}

// The next notice deadline, as an instant: the view's; else the status's
// date, which is the last day on which notice may be given (its end, in
// the agreement's zone).
function noticeInstant(view, st, zone) {
	if (view && view.next_notice_deadline) return Date.parse(view.next_notice_deadline);
	if (!st.notice_deadline) return null;
	const day = Date.parse(`${st.notice_deadline}T00:00:00Z`);
	return Number.isNaN(day) ? null : day + 86400000 - zone * 60000;
}

function noticeDate(view, st) {
	if (view && view.next_notice_deadline) return view.next_notice_deadline_date || null;
	return st.notice_deadline || null;
}

// What runs now, counted down: while the agreement is in force, the next
// notice deadline and the end of the term; once a notice runs, only the
// termination it leads to, and what a suspension or a withdrawal would do;
// while a notice is suspended, the terms that renew.
function countdownSection(view, st, zone, id) {
	const items = [];
	const notice = noticeInstant(view, st, zone);
	const termEnd = Date.parse((view && view.term_end) || st.term_end || "");
	const term = Date.parse((view && view.terminates_at) || st.terminates_at || "");
	const nowMs = now();
	const ending = !Number.isNaN(term);
	const running = ending && (nowMs === null || term > nowMs);
	if (st.state === "notice_pending" || (ending && st.state !== "terminated")) {
		items.push(terminationBox(term, termEnd));
		if (running) items.push(noticeOptions(view, st));
	} else if (st.state === "terminated") {
		if (ending) items.push(terminationBox(term, termEnd));
	} else {
		if (notice !== null && !Number.isNaN(notice)) items.push(noticeBox(view, st, notice, nowMs));
		if (!Number.isNaN(termEnd)) {
			items.push(h("div.count", { test: "countdown-term-box" },
				h("div.what", st.state === "notice_suspended" ? "End of the term (it renews: the notice is suspended)" : "End of the term"),
				h("div.when", { test: "term-end" }, fmtInstant(termEnd)),
				countdown(termEnd, "countdown-term")));
		}
	}
	if (items.length === 0) items.push(h("p.empty", { test: "countdown-none" }, "No deadline runs at this instant."));
	const counts = h("div.counts", { test: "countdowns" }, items);
	// in force, with no notice running: when a notice given now would end it
	if (view && st.state === "in_force" && !ending) ifNoticeNow(counts, id, zone);
	return h("section.block", h("h3", "Countdowns"), h("p.fine", "Counted from the node's clock, not this computer's."), counts);
}

// The next notice deadline, while no notice runs.
function noticeBox(view, st, notice, nowMs) {
	const passed = nowMs !== null && notice < nowMs;
	return h("div.count", { test: "countdown-notice-box" },
		h("div.what", passed ? "Notice deadline for this term (passed)" : "Next notice deadline"),
		h("div.when", { test: "notice-deadline" }, noticeDate(view, st) ? `${noticeDate(view, st)}, to the end of the day` : fmtInstant(notice)),
		countdown(notice, "countdown-notice"),
		h("div.sub", !passed ? (view && view.next_notice_ends_term
			? `Notice of termination given by then ends the agreement at ${fmtInstant(Date.parse(view.next_notice_ends_term))}.`
			: "Notice of termination given by then ends the agreement at the end of this term.")
			: "No notice was given by then: the term renews at its end."));
}

// The termination a notice leads to: one countdown, with the end of the
// term it coincides with said once, not twice.
function terminationBox(term, termEnd) {
	const same = !Number.isNaN(termEnd) && termEnd === term;
	return h("div.count.alarm", { test: "countdown-terminates-box" },
		h("div.what", same ? "The agreement terminates at the end of this term" : "The agreement terminates"),
		h("div.when", { test: "terminates-at" }, fmtInstant(term)),
		countdown(term, "countdown-terminates"),
		h("div.sub", "Everything released while it was in force stays protected after it ends."));
}

// What would stop the termination: a suspension or a withdrawal of the
// notice (docs/lifecycle.md), given before it takes effect.
function noticeOptions(view, st) {
	const from = lastNoticeFrom(view, st);
	return h("div.count.options", { test: "notice-options" },
		h("div.what", "Until then"),
		h("ul.options",
			h("li", { test: "option-suspension" }, h("strong", "A suspension"), ` of the notice${from ? ` (by ${from}, who gave it)` : ""}: the agreement stays in force, the termination is off while the suspension lasts, and the terms renew.`),
			h("li", { test: "option-withdrawal" }, h("strong", "A withdrawal"), ` of the notice${from ? ` (by ${from})` : ""}: the notice is taken back; the agreement goes on as if none had been given.`),
			h("li", "Without either, it ends at the instant above.")),
		h("div.sub", "Either is a diplomatic note, given under Actions; What if… below replays the history without any note."));
}

function lastNoticeFrom(view, st) {
	const evs = (view && view.timeline && view.timeline.events) || st.events || [];
	const n = evs.filter((e) => e.kind === "termination-notice" && e.effect !== "ignored").pop();
	return n ? n.from : null;
}

async function ifNoticeNow(counts, id, zone) {
	try {
		const w = await get(`/v1/local/agreements/${enc(id)}/whatif`);
		const nt = w.if_notice_today || {};
		const t = Date.parse(nt.terminates_at || nt.leaves_at);
		if (Number.isNaN(t)) return;
		counts.append(h("div.count.hypothetical", { test: "countdown-if-notice-box" },
			h("div.what", nt.terminates_at ? "If notice were given now, the agreement would end"
				: "If notice were given now, this party would leave the agreement"),
			h("div.when", { test: "if-notice-ends" }, fmtInstant(t)),
			countdown(t, "countdown-if-notice"),
			h("div.sub", "Nothing is given or changed: see What if… below.")));
	} catch { /* the what-if view is not on this node: nothing to add */ }
}

// ---- the timeline chart (SVG drawn here) ----

function timelineSection(view, st, zone) {
	const tl = view && view.timeline ? view.timeline : fallbackTimeline(st);
	const block = h("section.block", h("h3", "Timeline of terms and notes"));
	const ends = Date.parse((view && view.terminates_at) || st.terminates_at || "");
	// the marks beyond the notes: the notice deadline (while no notice runs), a termination
	const marks = [];
	const notice = noticeInstant(view, st, zone);
	if (Number.isNaN(ends) && notice !== null && !Number.isNaN(notice)) marks.push({ t: notice, label: "notice deadline", cls: "mark-notice", test: "timeline-notice" });
	if (!Number.isNaN(ends)) marks.push({ t: ends, label: "terminates", cls: "mark-end", test: "timeline-terminates" });
	const from = Date.parse(tl.from);
	let to = Date.parse(tl.to);
	const nowMs = now();
	const latest = Math.max(to, ...(marks.map((m) => m.t)), nowMs === null ? to : nowMs);
	if (latest > to || (nowMs !== null && nowMs >= to - 1)) to = latest + Math.max(30 * 86400000, (latest - from) * 0.04);
	if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
		block.append(h("p.empty", "No timeline to draw."));
		return block;
	}
	const lanes = tl.members || [];
	const W = 960, L = 20, R = 20, axisY = 196, laneY = axisY + 34, laneH = 18;
	const H = lanes.length ? laneY + lanes.length * laneH + 8 : 250;
	const x = (t) => L + ((t - from) / (to - from)) * (W - L - R);
	const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "timeline", role: "img", test: "timeline-chart",
		"aria-label": `Timeline of ${st.agreement}` });
	svg.append(s("line", { x1: L, y1: axisY, x2: W - R, y2: axisY, class: "axis" }));
	timelineYears(svg, from, to, x, axisY);
	timelineBands(svg, stateBands(tl.events || [], ends, to), x, axisY - 66, 22);
	timelineTerms(svg, tl, from, to, x, axisY - 40, 22);
	// the labels of notes, marks and now, each on the first row where it
	// overlaps nothing (placeLabels), with a line down to its instant
	const labels = [];
	(tl.events || []).forEach((ev) => {
		const t = Date.parse(ev.at || ev.delivered);
		if (Number.isNaN(t)) return;
		labels.push({ t, text: `${ev.from || ""} ${ev.kind || ""}`.trim(), cls: "event-label", test: "timeline-event",
			group: `event ${ev.effect === "ignored" ? "ignored" : ""} kind-${ev.kind}`, title: `${fmt(ev.at || ev.delivered)} — ${ev.what || ev.kind}`, dot: "event" });
	});
	for (const m of marks) {
		if (m.t < from || m.t > to) continue;
		labels.push({ t: m.t, text: m.label, cls: "mark-label", test: m.test, group: m.cls, title: `${m.label}: ${fmtInstant(m.t)}`, dot: "mark" });
	}
	if (nowMs !== null && nowMs >= from && nowMs <= to) labels.push({ t: nowMs, text: "now", cls: "now-label", test: "timeline-now", group: "now", dot: "now" });
	placeLabels(labels, x, W, 18, 17, 7);
	for (const lb of labels) {
		const px = x(lb.t);
		const g = s("g", { test: lb.test, class: lb.group });
		g.append(s("line", { x1: px, y1: lb.y + 3, x2: px, y2: axisY + (lb.dot === "event" ? 0 : 8), class: lb.dot === "now" ? "now-line" : lb.dot === "mark" ? "mark-line" : "event-line" }));
		if (lb.dot === "event") g.append(s("circle", { cx: px, cy: axisY, r: 5, class: "event-dot" }));
		if (lb.dot === "mark") g.append(s("path", { d: `M${px} ${axisY - 6} l5 6 l-5 6 l-5 -6 z`, class: "mark-dot" }));
		g.append(s("text", { x: lb.x, y: lb.y, class: lb.cls, "text-anchor": lb.anchor }, lb.text));
		if (lb.title) g.append(s("title", null, lb.title));
		svg.append(g);
	}
	// a lane per party, under the years: a member from its entry into force
	// (or accession) to the instant it left; its notice running; its
	// accession awaiting effect
	lanes.forEach((m, i) => {
		const y = laneY + i * laneH;
		const clip = (t) => Math.min(to, Math.max(from, t));
		const g = s("g", { test: "timeline-lane", class: `lane lane-${m.state}`, "data-party": m.party });
		const joined = Date.parse(m.joined_at || ""), left = Date.parse(m.left_at || "");
		const acc = Date.parse(m.accession_at || ""), notice = Date.parse(m.notice_at || ""), leaves = Date.parse(m.leaves_at || "");
		const bar = (a, b, cls, title) => {
			if (Number.isNaN(a) || b <= a) return;
			g.append(s("rect", { x: x(clip(a)), y: y + 2, width: Math.max(1, x(clip(b)) - x(clip(a))), height: laneH - 6, class: cls },
				s("title", null, title)));
		};
		const end = Number.isNaN(left) ? to : left;
		if (!Number.isNaN(acc)) bar(acc, Number.isNaN(joined) ? end : joined, "lane-acceding", `${m.party}: acceding since ${fmt(m.accession_at)}`);
		if (!Number.isNaN(joined)) bar(joined, end, "lane-member", `${m.party}: a member ${fmt(m.joined_at)} → ${m.left_at ? fmt(m.left_at) : "…"} (${m.state.replace(/_/g, " ")})`);
		if (!Number.isNaN(notice) && !Number.isNaN(leaves)) bar(notice, leaves, "lane-leaving", `${m.party}: notice given ${fmt(m.notice_at)}, leaves ${fmt(m.leaves_at)}`);
		// the party's code over its lane, haloed so that it reads on a bar
		g.append(s("text", { x: L + 2, y: y + 11, class: "lane-label" }, `${m.party} · ${m.state.replace(/_/g, " ")}`));
		svg.append(g);
	});
	if (lanes.length && nowMs !== null && nowMs >= from && nowMs <= to)
		svg.append(s("line", { x1: x(nowMs), y1: axisY + 8, x2: x(nowMs), y2: laneY + lanes.length * laneH, class: "now-line" }));
	block.append(h("div.chart", svg), timelineLegend());
	block.append(h("ol.events", { test: "timeline-events" }, (tl.events || []).map((ev) =>
		h("li", h("span.when", when(ev.at || ev.delivered)), " ",
			badge(ev.kind || "note", ev.effect === "ignored" ? "muted" : "plain"), " ",
			h("span", ev.what || ""),
			ev.state_after ? h("span.after", ` → ${String(ev.state_after).replace(/_/g, " ")}`) : null))));
	return block;
}

function timelineYears(svg, from, to, x, axisY) {
	const y0 = new Date(from).getUTCFullYear(), y1 = new Date(to).getUTCFullYear();
	for (let y = y0; y <= y1 + 1; y++) {
		const t = Date.UTC(y, 0, 1);
		if (t < from || t > to) continue;
		svg.append(s("line", { x1: x(t), y1: axisY, x2: x(t), y2: axisY + 6, class: "tick" }),
			s("text", { x: x(t), y: axisY + 20, class: "tick-label" }, String(y)));
	}
}

function timelineTerms(svg, tl, from, to, x, y, height) {
	(tl.terms || []).forEach((tm, i) => {
		const a = Math.max(from, Date.parse(tm.start)), b = Math.min(to, Date.parse(tm.end || tl.to));
		if (Number.isNaN(a) || Number.isNaN(b) || b <= a) return;
		const w = Math.max(1, x(b) - x(a));
		svg.append(s("g", { test: "timeline-term" },
			s("rect", { x: x(a), y, width: w, height, class: `term term-${i % 2}` }),
			w > 44 ? s("text", { x: x(a) + 4, y: y + 15, class: "term-label" }, `term ${tm.term}`) : null,
			s("title", null, `term ${tm.term}: ${fmt(tm.start)} → ${fmt(tm.end)}`)));
	});
}

// The periods a notice ran, was suspended, or after the agreement ended:
// from the state after each applied note to the next change (a pending
// notice ends at its termination). [{state, a, b}]
function stateBands(events, terminates, to) {
	const applied = events.filter((e) => e.effect !== "ignored" && e.state_after)
		.map((e) => ({ t: Date.parse(e.at || e.delivered), state: e.state_after }))
		.filter((e) => !Number.isNaN(e.t)).sort((p, q) => p.t - q.t);
	const bands = [];
	applied.forEach((e, i) => {
		const next = i + 1 < applied.length ? applied[i + 1].t : to;
		if (e.state === "notice_pending") {
			const end = !Number.isNaN(terminates) && terminates > e.t && terminates < next ? terminates : next;
			bands.push({ state: "notice_pending", a: e.t, b: end });
			if (end < next) bands.push({ state: "terminated", a: end, b: next });
		} else if (e.state === "notice_suspended" || e.state === "terminated") {
			bands.push({ state: e.state, a: e.t, b: next });
		}
	});
	return bands;
}

const BAND_TEXT = { notice_pending: "notice of termination runs", notice_suspended: "notice suspended", terminated: "terminated" };

function timelineBands(svg, bands, x, y, height) {
	for (const b of bands) {
		const w = Math.max(2, x(b.b) - x(b.a));
		svg.append(s("g", { test: "timeline-band", "data-state": b.state, class: `band band-${b.state}` },
			s("rect", { x: x(b.a), y, width: w, height, class: "band-rect" }),
			w > BAND_TEXT[b.state].length * 6.2 + 8 ? s("text", { x: x(b.a) + 4, y: y + 15, class: "band-label" }, BAND_TEXT[b.state]) : null,
			s("title", null, `${BAND_TEXT[b.state]}: ${fmtInstant(b.a)} → ${fmtInstant(b.b)}`)));
	}
}

function timelineLegend() {
	const item = (cls, text, test) => h("li", { test }, h(`span.swatch.${cls}`, { "aria-hidden": "true" }), text);
	return h("ul.legend", { test: "timeline-legend", "aria-label": "Legend" },
		item("sw-term", "a term of the agreement", "legend-term"),
		item("sw-notice", "a notice of termination runs", "legend-notice"),
		item("sw-suspended", "the notice is suspended", "legend-suspended"),
		item("sw-terminated", "terminated", "legend-terminated"),
		item("sw-event", "a note (hover for what it did)", "legend-event"),
		item("sw-now", "the node's clock", "legend-now"));
}

// Puts each label (sorted by instant) on the first of `rows` rows, from
// y0 down by `step`, where its box (its text's width estimated at `cw`
// per character) overlaps no label already there; near the right edge it
// reads leftwards, so that none is cut. Sets lb.x, lb.y, lb.anchor.
function placeLabels(labels, x, W, y0, step, rows, cw = 6.4) {
	const taken = Array.from({ length: rows }, () => []);
	labels.sort((a, b) => a.t - b.t);
	for (const lb of labels) {
		const px = x(lb.t), w = lb.text.length * cw + 6;
		const right = px > W * 0.72;
		const a = right ? px - 4 - w : px + 4, b = right ? px - 4 : px + 4 + w;
		let row = taken.findIndex((r) => r.every(([p, q]) => b < p - 2 || a > q + 2));
		if (row < 0) row = rows - 1;
		taken[row].push([a, b]);
		lb.x = right ? px - 4 : px + 4;
		lb.y = y0 + row * step;
		lb.anchor = right ? "end" : "start";
	}
}

// From /status alone: the notes delivered, and the current term.
function fallbackTimeline(st) {
	const times = (st.events || []).map((e) => Date.parse(e.delivered)).filter((t) => !Number.isNaN(t));
	if (st.term_end) times.push(Date.parse(st.term_end));
	if (st.at) times.push(Date.parse(st.at));
	if (times.length === 0) return {};
	const lo = Math.min(...times), hi = Math.max(...times);
	const pad = Math.max(30 * 86400000, (hi - lo) * 0.05);
	const terms = st.term ? [{ term: st.term, start: st.term_start, end: st.term_end }] : [];
	return {
		from: new Date(lo - pad).toISOString(), to: new Date(hi + pad).toISOString(), terms,
		events: (st.events || []).map((e) => ({ ...e, at: e.delivered })),
	};
}

// ---- the equivalence annex, each party's labels in its own script ----

function annexSection(view) {
	const annex = view.annex;
	const block = h("section.block", h("h3", "Equivalence annex"));
	if (!annex || !annex.rows || annex.rows.length === 0) {
		block.append(h("p.empty", { test: "annex-empty" }, "No annex in effect."));
		return block;
	}
	const parties = annex.parties || [];
	block.append(h("table.grid.annex", { test: "annex-table" },
		h("thead", h("tr", parties.map((p) => h("th", { lang: langOf(p) }, p)))),
		h("tbody", annex.rows.map((row) => h("tr", { test: "annex-row" }, parties.map((p) => {
			const c = row.cells ? row.cells[p] : null;
			if (!c) return h("td.none", { test: "annex-cell", dataset: { party: p } }, "no equivalent");
			return h("td", { test: "annex-cell", dataset: { party: p } },
				h("span.label-native", { lang: langOf(p) }, c.label),
				c.romanisation ? h("span.roman", c.romanisation) : null,
				c.gloss ? h("span.gloss", c.gloss) : null);
		}))))));
	return block;
}

// ---- what if ----

// A long list (an inventory of thousands) shows its first rows and says
// how many more there are; the audit and the holdings page have them all.
const ROWS = 200;
function firstRows(rows) {
	return (rows || []).slice(0, ROWS);
}
function moreRows(rows, test) {
	const n = (rows || []).length - ROWS;
	if (n <= 0) return null;
	const prot = rows.slice(ROWS).filter((r) => r.protected).length;
	return h("p.fine", { test }, `… and ${n} more holding${n === 1 ? "" : "s"} (${prot} of them stay protected); the Holdings page lists them all.`);
}

// The history without one note, beside the history as it is: the state,
// the termination, and the releases and holdings that would differ.
function withoutPart(w) {
	const x = w.without;
	const changedR = (x.releases || []).filter((r) => r.changed);
	const changedH = (x.holdings || []).filter((r) => r.changed);
	const ends = (t) => t ? when(t) : h("span", "no termination");
	return h("section.without", { test: "whatif-without-result" },
		h("h4", `Without the ${x.kind} of ${x.from}, given `, when(x.delivered)),
		h("table.grid.compare", { test: "whatif-compare" },
			h("thead", h("tr", h("th", ""), h("th", "As it is"), h("th", "Without that note"))),
			h("tbody",
				h("tr", h("th", { scope: "row" }, "State"), h("td", stateBadgeSmall(x.state_actual)), h("td", { test: "without-state" }, stateBadgeSmall(x.state))),
				h("tr", h("th", { scope: "row" }, "Terminates"), h("td", { test: "without-ends-actual" }, ends(x.terminates_at_actual)),
					h("td", { test: "without-ends" }, ends(x.terminates_at))))),
		h("p", { test: "without-reason" }, x.reason),
		h("h4", `Releases that would be decided otherwise: ${changedR.length} of ${(x.releases || []).length}`),
		table([
			{ label: "To", get: (r) => r.to },
			{ label: "Classification", get: (r) => r.classification },
			{ label: "As it is", get: (r) => badge(r.decision_actual, r.decision_actual === "permit" ? "ok" : "bad") },
			{ label: "Without the note", get: (r) => badge(r.decision, r.decision === "permit" ? "ok" : "bad", "without-decision") },
			{ label: "Rule", get: (r) => h("code", r.rule) },
		], changedR, "whatif-without-releases", "No release would be decided otherwise."),
		h("h4", `Holdings whose protection would differ: ${changedH.length} of ${(x.holdings || []).length}`),
		table([
			{ label: "Item", get: (r) => h("code.id", { title: r.id }, r.id) },
			{ label: "Title", get: (r) => r.title },
			{ label: "As it is", get: (r) => r.protected_actual ? "protected" : "not protected" },
			{ label: "Without the note", get: (r) => badge(r.protected ? "protected" : "not protected", r.protected ? "ok" : "bad", "without-protected") },
			{ label: "Why", get: (r) => r.why },
		], firstRows(changedH), "whatif-without-holdings", (x.holdings || []).length
			? `Every holding (${x.holdings.length}) stays protected either way: released while the agreement was in force.` : "No holding under this agreement."));
}

function whatifSection(id, zone, view) {
	const n = now();
	const at = h("input", { test: "whatif-at", value: n !== null ? isoLocal(n, zone) : "", size: 28,
		placeholder: "2019-11-23T00:00:00+09:00" });
	const out = h("div.out", { test: "whatif-result" });
	const go = h("button", { type: "submit", test: "whatif-submit" }, "Show");
	const without = withoutChoice(view);
	const form = h("form.inline", { test: "whatif-form" }, field("At the instant", at, "RFC 3339, or a date (midnight in the agreement's zone)"),
		without ? field("Replay the history without", without, "a note held: the state, releases and holdings it would change") : null, go);
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		go.disabled = true;
		replace(out, h("p.loading", "Asking the node…"));
		try {
			replace(out, await whatif(id, at.value.trim(), zone, without ? without.value : ""));
		} catch (err) {
			replace(out, errorBox(err));
		} finally {
			go.disabled = false;
		}
	});
	return h("section.block", h("h3", "What if…"),
		h("p.fine", "The rules at a chosen instant: which releases the node would refuse, which holdings stay protected if a notice of termination were given today, and what the history would have been without one of its notes. Nothing is changed or logged."),
		form, out);
}

function isoLocal(ms, zone) {
	const d = new Date(Math.floor(ms / 1000) * 1000 + zone * 60000);
	return d.toISOString().replace(/\.\d{3}Z$/, "") + (zone ? fmtZone(zone) : "Z");
}

// The notes held, to leave one out (none: the history as it is).
function withoutChoice(view) {
	const evs = ((view && view.timeline && view.timeline.events) || []).filter((e) => e.note);
	if (evs.length === 0) return null;
	return select("whatif-without", [["", "(every note: the history as it is)"],
		...evs.map((e) => [e.note, `${fmt(e.at)} ${e.from} ${e.kind}`])], "");
}

async function whatif(id, at, zone, without) {
	let w;
	try {
		w = await get(`/v1/local/agreements/${enc(id)}/whatif${q({ at, without })}`);
	} catch (e) {
		if (!(e instanceof ApiError && e.missing)) throw e;
		const st = await get(`/v1/local/agreements/${enc(id)}/status${q({ at })}`);
		return h("div", missingBox("GET /v1/local/agreements/{id}/whatif (releases and holdings at an instant); the state at that instant is from /status.", e),
			h("dl.kv", h("dt", "State"), h("dd", stateBadge(st.state)), h("dt", "Why"), h("dd", { test: "whatif-reason" }, st.reason)));
	}
	const parts = [
		h("dl.kv", h("dt", "At"), h("dd", fmt(w.at)), h("dt", "State"), h("dd", { test: "whatif-state" }, stateBadge(w.state)),
			h("dt", "Why"), h("dd", { test: "whatif-reason" }, w.reason || "—")),
		h("h4", "Releases at that instant"),
		table([
			{ label: "To", get: (r) => r.to },
			{ label: "Classification", get: (r) => h("span", { lang: langOf(r.from || "") }, r.classification) },
			{ label: "Decision", get: (r) => badge(r.decision, r.decision === "permit" ? "ok" : "bad", "whatif-decision") },
			{ label: "Rule", get: (r) => h("code.rule", r.rule) },
			{ label: "Reason", get: (r) => r.reason, cls: "prose" },
		], w.releases, "whatif-releases", "No label to release."),
	];
	if (w.without) parts.unshift(withoutPart(w));
	const nt = w.if_notice_today;
	if (nt) {
		parts.push(h("h4", "If a notice of termination were given today"),
			h("p", { test: "whatif-notice" }, nt.terminates_at || !nt.leaves_at
				? `Given ${fmt(nt.given_at)}, the agreement would terminate ${fmt(nt.terminates_at)}.`
				: `Given ${fmt(nt.given_at)}, this party would leave the agreement ${fmt(nt.leaves_at)}; it stays in force among the others.`),
			table([
				{ label: "Item", get: (r) => h("code.id", { title: r.id }, r.id) },
				{ label: "Title", get: (r) => r.title },
				{ label: "Originator", get: (r) => r.originator },
				{ label: "Marking", get: (r) => h("span", { lang: langOf(r.originator) }, r.label) },
				{ label: "Status", get: (r) => r.status },
				{ label: "Protected", get: (r) => badge(r.protected ? "stays protected" : "not protected", r.protected ? "ok" : "bad", "whatif-protected") },
				{ label: "Why", get: (r) => r.why, cls: "prose" },
			], firstRows(nt.holdings), "whatif-holdings", "No holding under this agreement."),
			moreRows(nt.holdings, "whatif-holdings-more"));
	}
	return h("div", parts);
}
