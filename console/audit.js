// #/audit: the ledger as an auditor reads it — every log's entries, newest
// first, a page at a time, with kind, instant, person, item, party and
// rule; filtered by kind, person, item, party and a date range; the
// filtered view exported as CSV or JSON (GET /v1/local/audit, the same
// entries and the same CSV as `gsomia ledger show --person ... --csv`).
"use strict";

import { h, replace, errorBox, missingBox, table, field, select, when, saveName } from "./dom.js";
import { get, getFile, q, ApiError } from "./api.js";

const KINDS = ["release", "receipt", "access-grant", "access-refusal", "copy", "translation", "reclassification",
	"destruction", "return", "consent-request", "consent-grant", "consent-refusal", "incident", "note",
	"peer-checkpoint", "key-event", "party-import", "agreement-import", "agreement-sign", "person", "facility",
	"register-add", "register-remove", "visit"];
const PAGE = 50;

// The filter survives a move to another page and back.
const state = { kind: "", person: "", item: "", party: "", since: "", until: "", log: "", offset: 0 };

export async function auditPage(main) {
	const kind = select("audit-kind", [["", "any kind"], ...KINDS], state.kind);
	const person = h("input", { test: "audit-person", value: state.person, placeholder: "kato", size: 12, autocomplete: "off" });
	const item = h("input", { test: "audit-item", value: state.item, placeholder: "KOR-…", size: 22, autocomplete: "off" });
	const party = h("input", { test: "audit-party", value: state.party, placeholder: "KOR", size: 5, maxLength: 3, autocomplete: "off" });
	const since = h("input", { test: "audit-since", type: "date", value: state.since });
	const until = h("input", { test: "audit-until", type: "date", value: state.until });
	const apply = h("button.primary", { type: "submit", test: "audit-apply" }, "Show");
	const clear = h("button", { type: "button", test: "audit-clear" }, "Clear");
	const out = h("div", { test: "audit-result" }, h("p.loading", "Loading…"));
	const form = h("form.filters", { test: "audit-filters" },
		field("Kind", kind), field("Person", person), field("Item", item), field("Party", party, "who acted, or the log's counterparty"),
		field("From", since, "a day, in the node's zone"), field("To", until, "to the end of that day"), h("div.buttons", apply, clear));
	const read = () => {
		state.kind = kind.value;
		state.person = person.value.trim();
		state.item = item.value.trim();
		state.party = party.value.trim().toUpperCase();
		state.since = since.value;
		state.until = until.value;
	};
	form.addEventListener("submit", (e) => {
		e.preventDefault();
		read();
		state.offset = 0;
		show(out);
	});
	clear.addEventListener("click", () => {
		for (const el of [person, item, party, since, until]) el.value = "";
		kind.value = "";
		read();
		state.offset = 0;
		show(out);
	});
	replace(main, h("div.page-head", h("h1", "Audit"),
		h("span.fine", "Every log of the ledger, newest first. Nothing here changes the node.")), form, out);
	await show(out);
}

function filterArgs() {
	return { kind: state.kind, person: state.person, item: state.item, party: state.party, since: state.since, until: state.until, log: state.log };
}

async function show(out) {
	replace(out, h("p.loading", "Loading…"));
	let r;
	try {
		r = await get(`/v1/local/audit${q({ ...filterArgs(), offset: state.offset, limit: PAGE })}`);
	} catch (e) {
		replace(out, e instanceof ApiError && e.missing ? missingBox("GET /v1/local/audit", e) : errorBox(e));
		return;
	}
	const first = r.total ? r.offset + 1 : 0, last = r.offset + r.entries.length;
	const prev = h("button", { test: "audit-prev", disabled: r.offset === 0 }, "← Newer");
	const next = h("button", { test: "audit-next", disabled: r.next === null }, "Older →");
	prev.addEventListener("click", () => {
		state.offset = Math.max(0, state.offset - PAGE);
		show(out);
	});
	next.addEventListener("click", () => {
		state.offset = r.next;
		show(out);
	});
	const exp = h("span.export", "Export what is shown, every page: ", exportButton("csv", out), " ", exportButton("json", out));
	replace(out,
		h("div.pager", h("span", { test: "audit-count" }, r.total ? `Entries ${first}–${last} of ${r.total}` : "No entry matches."), prev, next, exp),
		table([
			{ label: "Kind", get: (e) => h("span.kind", e.kind), test: "audit-kind-cell" },
			{ label: "Instant", get: (e) => when(e.at), cls: "nowrap" },
			{ label: "Person", get: (e) => e.person || h("span.muted", "(the node)"), test: "audit-person-cell" },
			{ label: "Item", get: (e) => e.item ? h("code.id", { title: e.item }, e.item) : "", test: "audit-item-cell" },
			{ label: "Party", get: (e) => e.party, test: "audit-party-cell" },
			{ label: "Rule", get: (e) => e.rule ? h("code", e.rule) : "", test: "audit-rule-cell" },
			{ label: "Log", get: (e) => `${e.log} #${e.index}` },
			{ label: "Details", get: (e) => details(e) },
		], r.entries, "audit-table", "No entry matches these filters."));
}

function details(e) {
	const f = Object.entries(e.fields || {}).filter(([k]) => k !== "rule");
	if (f.length === 0) return "";
	return h("details", h("summary", `${f.length} field${f.length === 1 ? "" : "s"}`),
		h("dl.kv.compact", f.map(([k, v]) => [h("dt", k), h("dd", String(v))])));
}

// The whole filtered view as a file, named as the node names it.
function exportButton(kind, out) {
	const b = h("button", { test: `audit-export-${kind}` }, kind.toUpperCase());
	b.addEventListener("click", async () => {
		b.disabled = true;
		try {
			const f = await getFile(`/v1/local/audit${q({ ...filterArgs(), export: kind })}`);
			const a = h("a", { href: URL.createObjectURL(f.file), download: saveName(f.name || `audit.${kind}`), test: `audit-download-${kind}` });
			a.classList.add("hidden");
			out.append(a);
			a.click();
		} catch (e) {
			out.prepend(errorBox(e));
		} finally {
			b.disabled = false;
		}
	});
	return b;
}
