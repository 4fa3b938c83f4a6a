// #/queues: pending receipts, consent requests, incidents with their
// deadlines, and the outbox.
"use strict";

import { h, replace, errorBox, missingBox, table, badge, when, countdown, setServerNow } from "./dom.js";
import { get, hasRole, ApiError } from "./api.js";

export async function queuesPage(main) {
	const body = h("div", h("p.loading", "Loading…"));
	const refresh = h("button", { test: "queues-refresh", onclick: () => fill(body) }, "Refresh");
	replace(main, h("div.page-head", h("h1", "Queues"), refresh), body);
	await fill(body);
}

async function fill(body) {
	let qs = null, missing = null;
	try {
		qs = await get("/v1/local/queues");
		if (qs.now) setServerNow(qs.now);
	} catch (e) {
		if (!(e instanceof ApiError && e.missing)) throw e;
		missing = e;
	}
	const parts = [];
	parts.push(await attentionBlock());
	if (missing) {
		parts.push(missingBox("GET /v1/local/queues (receipts, consents, incidents); the outbox below is from /v1/local/outbox.", missing));
		qs = { outbox: null };
		if (hasRole("registry", "nsa-officer")) {
			try {
				qs.outbox = (await get("/v1/local/outbox")).outbox;
			} catch (e) {
				parts.push(errorBox(e));
			}
		}
	}
	if (qs.receipts_pending) parts.push(block("Receipts pending", "queue-receipts", table([
		{ label: "Bundle", get: (r) => h("code.id", { title: r.bundle }, r.bundle) },
		{ label: "Item", get: (r) => h("code.id", { title: r.item }, r.item) },
		{ label: "Title", get: (r) => r.title },
		{ label: "Recipient", get: (r) => r.recipient },
		{ label: "Released", get: (r) => when(r.released_at), cls: "nowrap" },
	], (qs.receipts_pending || []).slice(0, 200), "queue-receipts-table", "Every release has been receipted."),
	(qs.receipts_pending || []).length > 200 ? h("p.fine", { test: "queue-receipts-more" },
		`… and ${qs.receipts_pending.length - 200} more (the oldest are listed first).`) : null));
	if (qs.consents) parts.push(block("Consent requests", "queue-consents", table([
		{ label: "Id", get: (r) => h("code.id", { title: r.id }, r.id) },
		{ label: "State", get: (r) => consentState(r) },
		{ label: "Item", get: (r) => h("code.id", { title: r.item }, r.item) },
		{ label: "Originator", get: (r) => r.originator },
		{ label: "Holder", get: (r) => r.holder },
		{ label: "Third party", get: (r) => r.third_party },
		{ label: "Purpose", get: (r) => r.purpose },
		{ label: "When", get: (r) => when(r.requested_at || r.granted_at), cls: "nowrap" },
		{ label: "Expires", get: (r) => when(r.expires), cls: "nowrap" },
		{ label: "Text", get: (r) => r.text },
		{ label: "", get: (r) => r.decision === "requested" && !r.made_here && !r.answered && hasRole("nsa-officer")
			? h("a.button", { href: `#/actions/consent:${encodeURIComponent(r.id)}`, test: "queue-consent-answer" }, "Answer") : "" },
	], qs.consents, "queue-consents-table", "No consent request.")));
	if (qs.incidents) parts.push(block("Incidents", "queue-incidents", table([
		{ label: "Id", get: (r) => h("code.id", { title: r.id }, r.id) },
		{ label: "Role", get: (r) => r.role },
		{ label: "Item", get: (r) => h("code.id", { title: r.item }, r.item) },
		{ label: "Kind", get: (r) => r.kind },
		{ label: "Detected", get: (r) => when(r.detected), cls: "nowrap" },
		{ label: "State", get: (r) => badge(r.state || r.holding || "?", r.state === "results-sent" ? "ok" : "warn", "incident-state") },
		{ label: "Notify by", get: (r) => r.notify_deadline ? h("span", when(r.notify_deadline), h("br"),
			r.notified_at ? h("span.badge.ok", "notified ", when(r.notified_at)) : countdown(Date.parse(r.notify_deadline), "incident-countdown")) : "—" },
		{ label: "Late", get: (r) => r.late ? badge("late", "bad", "incident-late") : badge("on time", "ok") },
		{ label: "Missed", get: (r) => Array.isArray(r.missed) && r.missed.length ? r.missed.join(", ") : "" },
		{ label: "Text", get: (r) => r.text },
		{ label: "", get: (r) => r.role === "holder" && r.state !== "results-sent" && hasRole("nsa-officer", "registry")
			? h("a.button", { href: `#/actions/incident:${encodeURIComponent(r.id)}`, test: "queue-incident-answer" }, "Answer") : "" },
	], qs.incidents, "queue-incidents-table", "No incident.")));
	if (qs.outbox) parts.push(block("Outbox", "queue-outbox", table([
		{ label: "Id", get: (r) => h("code.id", { title: String(r.id) }, String(r.id)) },
		{ label: "Peer", get: (r) => r.peer },
		{ label: "Kind", get: (r) => r.kind },
		{ label: "Ref", get: (r) => h("code.id", { title: r.ref }, r.ref) },
		{ label: "State", get: (r) => badge(r.state, r.state === "delivered" ? "ok" : r.state === "pending" ? "warn" : "bad", "outbox-state") },
		{ label: "Attempts", get: (r) => String(r.attempts) },
		{ label: "Next attempt", get: (r) => when(r.next_attempt), cls: "nowrap" },
		{ label: "Last error", get: (r) => r.last_error },
	], qs.outbox, "queue-outbox-table", "The outbox is empty.")));
	replace(body, parts);
}

// What needs attention within 30 days (GET /v1/local/attention): the
// counts by kind; 'gsomia attention' lists the items themselves.
async function attentionBlock() {
	let at;
	try {
		at = await get("/v1/local/attention?within=30d");
	} catch (e) {
		if (e instanceof ApiError && e.missing) return missingBox("GET /v1/local/attention (what needs attention).", e);
		return errorBox(e);
	}
	const overdue = (at.items || []).filter((i) => i.overdue).length;
	const counts = Object.entries(at.counts || {}).filter(([, n]) => n > 0)
		.map(([kind, n]) => badge(`${kind} ${n}`, "warn", `attention-${kind}`));
	return block("Needs attention (30 days)", "queue-attention", h("p", { test: "attention-total" },
		`${at.total} item${at.total === 1 ? "" : "s"}`, overdue ? h("span", " ", badge(`${overdue} overdue`, "bad", "attention-overdue")) : "",
		" ", ...counts));
}

// A request is open until its answer is held; then it says how it was answered.
function consentState(r) {
	if (r.decision === "requested" && r.answered) {
		const d = r.answered.decision;
		return h("span", badge(`answered: ${d}`, d === "granted" ? "ok" : "bad", "consent-state"),
			h("span.small.block-line", "by ", h("code.id", { title: r.answered.id }, r.answered.id.slice(0, 16)), r.answered.at ? [" ", when(r.answered.at)] : null));
	}
	const s = r.state || r.decision;
	return badge(s, s === "valid" ? "ok" : s === "refused" || s === "expired" ? "bad" : "warn", "consent-state");
}

function block(title, test, ...content) {
	return h("section.block", { test }, h("h2", title), content);
}
