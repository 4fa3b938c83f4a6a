// #/agreements[/ID]: each agreement's state now and each party's membership,
// the countdowns to the next notice deadline and the end of the term, the
// timeline of terms and notes with a lane per party, the equivalence annex
// in each party's script, and "what if" at an instant.
"use strict";

import { h, s, replace, errorBox, missingBox, table, field, badge, stateBadge, countdown, serverClock,
	setServerNow, now, fmt, fmtInstant, zoneMinutes, langOf } from "./dom.js";
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
			h("div.clockline", "Node clock: ", serverClock(0, "server-now"))),
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
				` · times in UTC${zone ? fmtZone(zone) : ""}`)),
		...[stateSection(status, zone), membersSection(status, zone),
			countdownSection(view, status, zone, id)].filter(Boolean));
	if (missing) card.append(missingBox(`GET /v1/local/agreements/${id} (annex, timeline, what-if of this agreement); the state above is from /status.`, missing));
	card.append(timelineSection(view, status, zone));
	if (view) card.append(annexSection(view));
	card.append(whatifSection(id, zone, view));
	replace(el, card);
}

function fmtZone(z) {
	const sign = z < 0 ? "-" : "+";
	const a = Math.abs(z);
	return `${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

// Without the agreement view, the agreement's zone is read off the start of
// its term, which is a local midnight.
function guessZone(st) {
	const t = Date.parse(st.term_start || st.in_force_since || "");
	if (Number.isNaN(t)) return 0;
	const m = new Date(t).getUTCHours() * 60 + new Date(t).getUTCMinutes();
	return m === 0 ? 0 : m > 720 ? 1440 - m : -m;
}

function both(instant, zone) {
	if (!instant) return "—";
	return zone ? `${fmt(instant, zone)}  (${fmt(instant, 0)})` : fmt(instant, 0);
}

function stateSection(st, zone) {
	const rows = [
		["State", stateBadge(st.state)],
		["Why", h("span", { test: "agreement-reason" }, st.reason || "—")],
		["In force since", both(st.in_force_since, zone)],
		["Term", st.term ? h("span", { test: "agreement-term" }, `${st.term}: ${both(st.term_start, zone)} → ${both(st.term_end, zone)}`) : "—"],
		["Computed at", h("span", { test: "agreement-at" }, both(st.at, zone))],
	];
	if (st.missing_signatures) rows.push(["Missing signatures", st.missing_signatures]);
	return h("section.block", h("h3", "The state now"),
		h("dl.kv", rows.map(([k, v]) => [h("dt", k), h("dd", v)])));
}

// Each party's standing now (docs/lifecycle.md "Members"): a notice ends a
// multilateral agreement for its sender only.
const MEMBER_KIND = { in_force: "ok", notice_pending: "bad", notice_suspended: "warn", withdrawn: "muted",
	terminated: "bad", acceding: "warn", signatory: "muted" };

function memberWhen(m, zone) {
	if (m.left_at) return `left ${fmt(m.left_at, zone)}`;
	if (m.leaves_at) return `leaves ${fmt(m.leaves_at, zone)}`;
	if (m.state === "acceding" && m.joined_at) return `a member from ${fmt(m.joined_at, zone)}`;
	if (m.state === "acceding") return `acceded ${fmt(m.accession_at, zone)}, awaiting acceptance`;
	return m.joined_at ? `since ${fmt(m.joined_at, zone)}` : "—";
}

function membersSection(st, zone) {
	const members = st.members || [];
	if (members.length === 0) return null;
	return h("section.block", { test: "members" }, h("h3", "Members"),
		table([
			{ label: "Party", get: (m) => h("span", { test: "member-party" }, m.party) },
			{ label: "State", get: (m) => badge(m.state.replace(/_/g, " "), MEMBER_KIND[m.state] || "plain", "member-state") },
			{ label: "When", get: (m) => h("span", { test: "member-when" }, memberWhen(m, zone)) },
			{ label: "How", get: (m) => (m.original ? "signatory" : `accession ${fmt(m.accession_at, zone)}`) },
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

function countdownSection(view, st, zone, id) {
	const items = [];
	const notice = noticeInstant(view, st, zone);
	const termEnd = Date.parse((view && view.term_end) || st.term_end || "");
	const term = Date.parse((view && view.terminates_at) || st.terminates_at || "");
	const nowMs = now();
	if (notice !== null && !Number.isNaN(notice)) {
		const passed = nowMs !== null && notice < nowMs;
		items.push(h("div.count", { test: "countdown-notice-box" },
			h("div.what", passed ? "Notice deadline for this term (passed)" : "Next notice deadline"),
			h("div.when", { test: "notice-deadline" }, noticeDate(view, st) ? `${noticeDate(view, st)}, to the end of the day` : fmtInstant(notice, zone)),
			countdown(notice, "countdown-notice"),
			h("div.sub", !passed ? (view && view.next_notice_ends_term
				? `Notice of termination given by then ends the agreement at ${fmtInstant(Date.parse(view.next_notice_ends_term), zone)}.`
				: "Notice of termination given by then ends the agreement at the end of this term.")
				: Number.isNaN(term) ? "No notice was given by then: the term renews at its end unless the agreement ends otherwise."
					: "The state above says what the notice given does.")));
	}
	if (!Number.isNaN(termEnd)) {
		items.push(h("div.count", { test: "countdown-term-box" },
			h("div.what", "End of the term"),
			h("div.when", { test: "term-end" }, fmtInstant(termEnd, zone)),
			countdown(termEnd, "countdown-term")));
	}
	if (!Number.isNaN(term)) {
		items.push(h("div.count.alarm", { test: "countdown-terminates-box" },
			h("div.what", "The agreement terminates"),
			h("div.when", { test: "terminates-at" }, fmtInstant(term, zone)),
			countdown(term, "countdown-terminates")));
	}
	if (items.length === 0) items.push(h("p.empty", { test: "countdown-none" }, "No deadline runs at this instant."));
	const counts = h("div.counts", { test: "countdowns" }, items);
	// in force, with no notice running: when a notice given now would end it
	if (view && st.state === "in_force" && Number.isNaN(term)) ifNoticeNow(counts, id, zone);
	return h("section.block", h("h3", "Countdowns"), h("p.fine", "Counted from the node's clock, not this computer's."), counts);
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
			h("div.when", { test: "if-notice-ends" }, fmtInstant(t, zone)),
			countdown(t, "countdown-if-notice"),
			h("div.sub", "Nothing is given or changed: see What if… below.")));
	} catch { /* the what-if view is not on this node: nothing to add */ }
}

// ---- the timeline chart (SVG drawn here) ----

function timelineSection(view, st, zone) {
	const tl = view && view.timeline ? view.timeline : fallbackTimeline(st);
	const block = h("section.block", h("h3", "Timeline of terms and notes"));
	// the marks beyond the notes: the notice deadline, a termination, now
	const marks = [];
	const notice = noticeInstant(view, st, zone);
	if (notice !== null && !Number.isNaN(notice)) marks.push({ t: notice, label: "notice deadline", cls: "mark-notice", test: "timeline-notice" });
	const ends = Date.parse((view && view.terminates_at) || st.terminates_at || "");
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
	const W = 960, L = 20, R = 20, axisY = 150, laneY = axisY + 34, laneH = 18;
	const H = 210 + (lanes.length ? lanes.length * laneH + 8 : 0);
	const x = (t) => L + ((t - from) / (to - from)) * (W - L - R);
	const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "timeline", role: "img", test: "timeline-chart",
		"aria-label": `Timeline of ${st.agreement}` });
	svg.append(s("line", { x1: L, y1: axisY, x2: W - R, y2: axisY, class: "axis" }));
	// years
	const y0 = new Date(from).getUTCFullYear(), y1 = new Date(to).getUTCFullYear();
	for (let y = y0; y <= y1 + 1; y++) {
		const t = Date.UTC(y, 0, 1);
		if (t < from || t > to) continue;
		svg.append(s("line", { x1: x(t), y1: axisY, x2: x(t), y2: axisY + 6, class: "tick" }),
			s("text", { x: x(t), y: axisY + 20, class: "tick-label" }, String(y)));
	}
	// terms
	(tl.terms || []).forEach((tm, i) => {
		const a = Math.max(from, Date.parse(tm.start)), b = Math.min(to, Date.parse(tm.end || tl.to));
		if (Number.isNaN(a) || Number.isNaN(b) || b <= a) return;
		const g = s("g", { test: "timeline-term" },
			s("rect", { x: x(a), y: axisY - 34, width: Math.max(1, x(b) - x(a)), height: 22, class: `term term-${i % 2}` }),
			s("text", { x: x(a) + 4, y: axisY - 19, class: "term-label" }, `term ${tm.term}`),
			s("title", null, `term ${tm.term}: ${fmt(tm.start, zone)} → ${fmt(tm.end, zone)}`));
		svg.append(g);
	});
	// notes
	const rows = [0, 0, 0];
	(tl.events || []).forEach((ev, i) => {
		const t = Date.parse(ev.at || ev.delivered);
		if (Number.isNaN(t)) return;
		const level = i % 3;
		const y = 30 + level * 24;
		rows[level]++;
		svg.append(s("g", { test: "timeline-event", class: `event ${ev.effect === "ignored" ? "ignored" : ""} kind-${ev.kind}` },
			s("line", { x1: x(t), y1: y + 4, x2: x(t), y2: axisY, class: "event-line" }),
			s("circle", { cx: x(t), cy: axisY, r: 5, class: "event-dot" }),
			label(x(t), y, `${ev.from || ""} ${ev.kind || ""}`, "event-label"),
			s("title", null, `${fmt(ev.at || ev.delivered, zone)} — ${ev.what || ev.kind}`)));
	});
	for (const m of marks) {
		if (m.t < from || m.t > to) continue;
		svg.append(s("g", { test: m.test, class: m.cls },
			s("line", { x1: x(m.t), y1: 110, x2: x(m.t), y2: axisY + 8, class: "mark-line" }),
			s("path", { d: `M${x(m.t)} ${axisY - 6} l5 6 l-5 6 l-5 -6 z`, class: "mark-dot" }),
			label(x(m.t), 106, m.label, "mark-label"),
			s("title", null, `${m.label}: ${fmtInstant(m.t, zone)}`)));
	}
	// a lane per party: a member from its entry into force (or accession) to
	// the instant it left; its notice running; its accession awaiting effect
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
		if (!Number.isNaN(acc)) bar(acc, Number.isNaN(joined) ? end : joined, "lane-acceding", `${m.party}: acceding since ${fmt(m.accession_at, zone)}`);
		if (!Number.isNaN(joined)) bar(joined, end, "lane-member", `${m.party}: a member ${fmt(m.joined_at, zone)} → ${m.left_at ? fmt(m.left_at, zone) : "…"} (${m.state.replace(/_/g, " ")})`);
		if (!Number.isNaN(notice) && !Number.isNaN(leaves)) bar(notice, leaves, "lane-leaving", `${m.party}: notice given ${fmt(m.notice_at, zone)}, leaves ${fmt(m.leaves_at, zone)}`);
		// the party's code over its lane, haloed so that it reads on a bar
		g.append(s("text", { x: L + 2, y: y + 11, class: "lane-label" }, `${m.party} · ${m.state.replace(/_/g, " ")}`));
		svg.append(g);
	});
	// now
	const n = now();
	if (n !== null && n >= from && n <= to) {
		svg.append(s("g", { test: "timeline-now" },
			s("line", { x1: x(n), y1: 14, x2: x(n), y2: axisY + 8 + (lanes.length ? lanes.length * laneH + 30 : 0), class: "now-line" }),
			label(x(n), 12, "now", "now-label")));
	}
	block.append(h("div.chart", svg));
	// labels near the right edge read leftwards, so that none is cut
	function label(px, py, text, cls) {
		const right = px > W * 0.72;
		return s("text", { x: right ? px - 4 : px + 4, y: py, class: cls, "text-anchor": right ? "end" : "start" }, text);
	}
	block.append(h("ol.events", { test: "timeline-events" }, (tl.events || []).map((ev) =>
		h("li", h("span.when", fmt(ev.at || ev.delivered, zone)), " ",
			badge(ev.kind || "note", ev.effect === "ignored" ? "muted" : "plain"), " ",
			h("span", ev.what || ""),
			ev.state_after ? h("span.after", ` → ${String(ev.state_after).replace(/_/g, " ")}`) : null))));
	return block;
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

function whatifSection(id, zone, view) {
	const n = now();
	const at = h("input", { test: "whatif-at", value: n !== null ? isoLocal(n, zone) : "", size: 28,
		placeholder: "2019-11-23T00:00:00+09:00" });
	const out = h("div.out", { test: "whatif-result" });
	const go = h("button", { type: "submit", test: "whatif-submit" }, "Show");
	const form = h("form.inline", { test: "whatif-form" }, field("At the instant", at, "RFC 3339, or a date (midnight in the agreement's zone)"), go);
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		go.disabled = true;
		replace(out, h("p.loading", "Asking the node…"));
		try {
			replace(out, await whatif(id, at.value.trim(), zone));
		} catch (err) {
			replace(out, errorBox(err));
		} finally {
			go.disabled = false;
		}
	});
	return h("section.block", h("h3", "What if…"),
		h("p.fine", "The rules at a chosen instant: which releases the node would refuse, and which holdings stay protected if a notice of termination were given today. Nothing is changed or logged."),
		form, out);
}

function isoLocal(ms, zone) {
	const d = new Date(Math.floor(ms / 1000) * 1000 + zone * 60000);
	return d.toISOString().replace(/\.\d{3}Z$/, "") + (zone ? fmtZone(zone) : "Z");
}

async function whatif(id, at, zone) {
	let w;
	try {
		w = await get(`/v1/local/agreements/${enc(id)}/whatif${q({ at })}`);
	} catch (e) {
		if (!(e instanceof ApiError && e.missing)) throw e;
		const st = await get(`/v1/local/agreements/${enc(id)}/status${q({ at })}`);
		return h("div", missingBox("GET /v1/local/agreements/{id}/whatif (releases and holdings at an instant); the state at that instant is from /status.", e),
			h("dl.kv", h("dt", "State"), h("dd", stateBadge(st.state)), h("dt", "Why"), h("dd", { test: "whatif-reason" }, st.reason)));
	}
	const parts = [
		h("dl.kv", h("dt", "At"), h("dd", fmt(w.at, zone)), h("dt", "State"), h("dd", { test: "whatif-state" }, stateBadge(w.state)),
			h("dt", "Why"), h("dd", { test: "whatif-reason" }, w.reason || "—")),
		h("h4", "Releases at that instant"),
		table([
			{ label: "To", get: (r) => r.to },
			{ label: "Classification", get: (r) => h("span", { lang: langOf(r.from || "") }, r.classification) },
			{ label: "Decision", get: (r) => badge(r.decision, r.decision === "permit" ? "ok" : "bad", "whatif-decision") },
			{ label: "Rule", get: (r) => h("code", r.rule) },
			{ label: "Reason", get: (r) => r.reason },
		], w.releases, "whatif-releases", "No label to release."),
	];
	const nt = w.if_notice_today;
	if (nt) {
		parts.push(h("h4", "If a notice of termination were given today"),
			h("p", { test: "whatif-notice" }, nt.terminates_at || !nt.leaves_at
				? `Given ${fmt(nt.given_at, zone)}, the agreement would terminate ${fmt(nt.terminates_at, zone)}.`
				: `Given ${fmt(nt.given_at, zone)}, this party would leave the agreement ${fmt(nt.leaves_at, zone)}; it stays in force among the others.`),
			table([
				{ label: "Item", get: (r) => h("code", r.id) },
				{ label: "Title", get: (r) => r.title },
				{ label: "Originator", get: (r) => r.originator },
				{ label: "Marking", get: (r) => h("span", { lang: langOf(r.originator) }, r.label) },
				{ label: "Status", get: (r) => r.status },
				{ label: "Protected", get: (r) => badge(r.protected ? "stays protected" : "not protected", r.protected ? "ok" : "bad", "whatif-protected") },
				{ label: "Why", get: (r) => r.why },
			], nt.holdings, "whatif-holdings", "No holding under this agreement."));
	}
	return h("div", parts);
}
