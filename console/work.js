// #/work: what waits for the officer — consents to answer, incidents near
// their deadline, receipts overdue, notice deadlines and terminations
// coming, PSC expiries — and the counts on the tabs.
//
// The node's own list (GET /v1/local/attention), where it serves one, is
// shown as it is; otherwise the list is made here from what the API
// already answers (the queues and the agreements), by the rules below.
"use strict";

import { h, replace, errorBox, missingBox, when, countdown, now, setServerNow, badge } from "./dom.js";
import { get, enc, hasRole, ApiError } from "./api.js";

const DAY = 86400000;
// A release whose receipt has not come back a week after it left: the
// courier delivers in seconds, so the bundle has not arrived or not been
// receipted (docs/console.md, "Work waiting").
const RECEIPT_OVERDUE = 7 * DAY;
// How far ahead a notice deadline, a termination or a PSC expiry is shown.
const AHEAD = 60 * DAY;
// An incident's notification deadline this close is shown as near.
const INCIDENT_NEAR = 3 * DAY;

const GROUPS = [
	{ id: "consents", title: "Consents to answer", page: "queues" },
	{ id: "incidents", title: "Incidents near their deadline or to answer", page: "queues" },
	{ id: "receipts", title: "Receipts overdue", page: "queues" },
	{ id: "deadlines", title: "Notice deadlines and terminations coming", page: "agreements" },
	{ id: "psc", title: "PSC expiries coming", page: "work" },
	{ id: "facilities", title: "Inspections and visits", page: "work" },
];

// One fetch serves the page and the tabs' counts for a few seconds.
let cached = null;
export function invalidateWork() {
	cached = null;
}

async function collect() {
	if (cached && performance.now() - cached.at < 3000) return cached.promise;
	const promise = gather();
	cached = { at: performance.now(), promise };
	promise.catch(() => { cached = null; });
	return promise;
}

// {source: "both"|"composed", items: [{group, title, detail, due, href}], notes: [...]}
// The queues and the agreements give what waits to be answered (requests,
// incidents, receipts, deadlines); the node's own list of what needs
// attention (GET /v1/local/attention), where it serves one, adds what only
// it knows: PSC expiries, contractors' inspections, consents expiring, visits.
async function gather() {
	const items = [], notes = [];
	let attention = null;
	try {
		attention = await get("/v1/local/attention?within=60d");
	} catch (e) {
		if (!(e instanceof ApiError)) throw e;
		if (!(e.missing || e.status === 404)) notes.push(`The list of what needs attention: ${e.message}`);
	}
	if (hasRole("nsa-officer", "registry", "auditor")) {
		try {
			const q = await get("/v1/local/queues");
			if (q.now) setServerNow(q.now);
			items.push(...fromQueues(q));
		} catch (e) {
			notes.push(e instanceof ApiError && e.missing ? "The queues are not served by this node." : `The queues: ${e.message}`);
		}
	}
	try {
		items.push(...(await fromAgreements()));
	} catch (e) {
		notes.push(`The agreements: ${e.message}`);
	}
	if (attention) items.push(...fromAttention(attention));
	else if (!notes.length) notes.push("PSC expiries come from the node's own list of what needs attention (GET /v1/local/attention), which this node does not serve yet.");
	return { source: attention ? "both" : "composed", items, notes };
}

function ms(instant) {
	const t = Date.parse(instant || "");
	return Number.isNaN(t) ? null : t;
}

function fromQueues(q) {
	const n = now();
	const out = [];
	for (const c of q.consents || []) {
		if (c.decision !== "requested" || c.made_here || c.answered) continue;
		out.push({ group: "consents", title: `${c.holder} asks to pass ${c.item || c.topic} to ${c.third_party} (${c.purpose})`,
			detail: c.text || "", due: null, since: ms(c.requested_at), href: `#/actions/consent:${enc(c.id)}`, ref: c.id });
	}
	for (const i of q.incidents || []) {
		const due = ms(i.notify_deadline);
		const notified = !!i.notified_at;
		if (!notified && due !== null && (n === null || due - n < INCIDENT_NEAR)) {
			out.push({ group: "incidents", title: `Notify ${i.originator || "the originator"} of incident ${i.id.slice(0, 16)} (${i.kind}, item ${i.item})`,
				detail: i.late ? "late" : "", due, href: "#/queues", ref: i.id });
		} else if (i.role === "holder" && i.state !== "results-sent") {
			out.push({ group: "incidents", title: `Investigate incident ${i.id.slice(0, 16)} and send the results (${i.kind}, item ${i.item})`,
				detail: i.state || "", due: null, href: `#/actions/incident:${enc(i.id)}`, ref: i.id });
		}
	}
	for (const r of q.receipts_pending || []) {
		const at = ms(r.released_at);
		if (at === null || n === null || n - at < RECEIPT_OVERDUE) continue;
		out.push({ group: "receipts", title: `No receipt from ${r.recipient} for ${r.title || r.item}`, detail: `released ${Math.floor((n - at) / DAY)} days ago`,
			due: at + RECEIPT_OVERDUE, href: "#/queues", ref: r.bundle });
	}
	return out;
}

async function fromAgreements() {
	const list = await get("/v1/local/agreements");
	if (list.at) setServerNow(list.at);
	const n = now();
	const out = [];
	for (const a of list.agreements || []) {
		let v;
		try {
			v = await get(`/v1/local/agreements/${enc(a.id)}`);
		} catch {
			continue; /* a node without the agreement view: nothing to count */
		}
		const ends = ms(v.terminates_at);
		if (ends !== null && n !== null && ends > n && ends - n < AHEAD) {
			out.push({ group: "deadlines", title: `${a.id} terminates`, detail: v.status && v.status.reason || "", due: ends,
				href: `#/agreements/${enc(a.id)}` });
		}
		const notice = ms(v.next_notice_deadline);
		if (ends === null && notice !== null && n !== null && notice > n && notice - n < AHEAD) {
			out.push({ group: "deadlines", title: `${a.id}: last day for a notice of termination for this term`, detail: v.next_notice_deadline_date || "",
				due: notice, href: `#/agreements/${enc(a.id)}` });
		}
	}
	return out;
}

// The node's own list: {"items": [{kind, subject, agreement, due, overdue,
// what}]}. The kinds the queues and agreements already give (deadlines,
// terminations, receipts, incidents) are taken from those; the others here.
const ATTENTION_GROUP = { "psc-expiring": "psc", "inspection-due": "facilities", "visit": "facilities",
	"consent-expiring": "consents" };

function fromAttention(a) {
	const list = a.items || a.attention || [];
	return list.filter((x) => ATTENTION_GROUP[x.kind]).map((x) => ({
		group: ATTENTION_GROUP[x.kind],
		title: x.what || String(x.kind),
		detail: x.overdue ? "overdue" : "",
		due: ms(x.due),
		href: x.agreement ? `#/agreements/${enc(x.agreement)}` : "#/work",
		ref: x.subject || "",
	}));
}

// The tabs' counts: page id -> how many things wait there.
export async function workCounts() {
	if (!hasRole("nsa-officer", "registry", "auditor")) return {};
	const w = await collect();
	const counts = { work: w.items.length };
	for (const it of w.items) {
		const g = GROUPS.find((x) => x.id === it.group);
		if (g && g.page !== "work") counts[g.page] = (counts[g.page] || 0) + 1;
	}
	return counts;
}

export async function workPage(main) {
	invalidateWork();
	let w;
	try {
		w = await collect();
	} catch (e) {
		replace(main, h("h1", "Work waiting"), e instanceof ApiError && e.missing ? missingBox("GET /v1/local/queues", e) : errorBox(e));
		return;
	}
	const total = w.items.length;
	replace(main,
		h("div.page-head", h("h1", "Work waiting"),
			h("span.fine", { test: "work-source" }, w.source === "both"
				? "Made from the node's queues, agreements and list of what needs attention."
				: "Made from the node's queues and agreements.")),
		h("p.summary", { test: "work-total" }, total === 0 ? "Nothing waits for you." : `${total} thing${total === 1 ? "" : "s"} wait${total === 1 ? "s" : ""} for you.`),
		h("div.work-groups", GROUPS.map((g) => group(g, w.items.filter((i) => i.group === g.id)))),
		w.notes.length ? h("ul.fine.notes", { test: "work-notes" }, w.notes.map((t) => h("li", t))) : null);
}

function group(g, items) {
	items.sort((a, b) => (a.due ?? Infinity) - (b.due ?? Infinity));
	return h("section.block.work-group", { test: `work-${g.id}`, dataset: { count: String(items.length) } },
		h("h2", g.title, " ", badge(String(items.length), items.length ? "warn" : "muted", `work-${g.id}-count`)),
		items.length === 0 ? h("p.empty", "None.") : h("ul.work-list", items.map((it) => h("li", { test: "work-item" },
			h("a", { href: it.href }, it.title),
			it.detail ? h("span.detail", ` — ${it.detail}`) : null,
			it.due !== null ? h("span.due", " ", when(it.due), " ", countdown(it.due, "work-countdown")) : null))));
}
