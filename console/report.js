// #/report: a term's figures for the annual review (GET
// /v1/local/agreements/{id}/report): releases and receipts by level and
// direction, refusals by rule, onward releases and consents, incidents
// and their timeliness, visits, custody; the checkpoints they were
// counted at; and the same as CSV or as a printable page.
"use strict";

import { h, replace, errorBox, table, select, field, badge, fmt, saveName } from "./dom.js";
import { get, session, enc, ApiError } from "./api.js";

const SECTIONS = [
	["releases", "Releases, by level", ["peer", "originator", "label", "level"]],
	["receipts", "Receipts, by level", ["peer", "originator", "label", "level"]],
	["acknowledged", "Releases whose receipt came back", ["peer", "originator", "label", "level"]],
	["onward", "Onward releases", ["peer", "direction", "originator", "label"]],
	["consents", "Consents", ["peer", "direction", "originator", "key"]],
	["refusals", "Refusals, by rule", ["key", "label"]],
	["access", "Access granted", ["originator"]],
	["incidents", "Incidents and their timeliness", ["peer", "originator", "key", "label"]],
	["visits", "Visits", ["peer"]],
	["custody", "Destruction, return, copies, translations", ["key", "originator"]],
];
const TITLES = { key: "Kind / rule", label: "Label / outcome", peer: "Peer", originator: "Originator",
	level: "Level", direction: "Direction" };

export async function reportPage(main) {
	const out = h("div");
	let list = [];
	try {
		list = (await get("/v1/local/agreements")).agreements || [];
	} catch (e) {
		replace(main, h("h1", "Report"), errorBox(e));
		return;
	}
	const ids = list.map((a) => a.id);
	const agreement = select("report-agreement", ids, ids[0]);
	const term = h("input", { type: "number", min: "1", max: "1000", value: "1", test: "report-term" });
	// the current term by default
	const current = async (id) => {
		try {
			const st = await get(`/v1/local/agreements/${enc(id)}/status`);
			if (st.term) term.value = String(st.term);
		} catch { /* the officer types it */ }
	};
	agreement.onchange = () => current(agreement.value);
	if (ids.length) await current(ids[0]);
	const go = h("button", { test: "report-compute", onclick: () => show(out, agreement.value, term.value) }, "Compute");
	replace(main, h("div.page-head", h("h1", "Report for the annual review")),
		h("div.form-row", field("Agreement", agreement), field("Term", term), go), out);
	if (ids.length) await show(out, agreement.value, term.value);
}

// The report route may sign a checkpoint: it needs the CSRF token.
async function fetchReport(id, term, format) {
	const path = `/v1/local/agreements/${enc(id)}/report?term=${enc(term)}&format=${format}`;
	const res = await fetch(path, { credentials: "same-origin", cache: "no-store",
		headers: { Accept: format === "json" ? "application/json" : "*/*", "X-CSRF-Token": session.csrf || "" } });
	if (!res.ok) {
		const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
		throw new ApiError(res.status, data, path);
	}
	return format === "json" ? res.json() : res.blob();
}

async function show(out, id, term) {
	replace(out, h("p.loading", "Computing…"));
	let r;
	try {
		r = await fetchReport(id, term, "json");
	} catch (e) {
		replace(out, errorBox(e));
		return;
	}
	const parts = [
		h("p", { test: "report-span" }, `Term ${r.term}: ${fmt(r.term_start)} to ${r.term_end ? fmt(r.term_end) : "open"} `,
			r.complete ? badge("complete", "ok") : badge("in progress", "warn"),
			r.exercise ? badge("exercise", "warn") : ""),
		h("div.form-row", download(id, term, "csv", "Save as CSV"), download(id, term, "html", "Save the printable page")),
		table(Object.keys(r.totals).map((k) => ({ label: k, get: (t) => String(t[k]) })), [r.totals], "report-totals"),
	];
	for (const [sec, title, cols] of SECTIONS) {
		const rows = r.rows.filter((x) => x.section === sec);
		parts.push(h("section.block", { test: `report-${sec}` }, h("h2", title),
			table(cols.map((c) => ({ label: TITLES[c], get: (x) => x[c] }))
				.concat([{ label: "Count", get: (x) => String(x.count), test: "report-count" }]),
			rows, `report-${sec}-table`, "None in this term.")));
	}
	parts.push(h("section.block", { test: "report-logs" }, h("h2", "Counted at these signed checkpoints"),
		table([
			{ label: "Log", get: (l) => h("code", l.origin) },
			{ label: "Size", get: (l) => String(l.size) },
			{ label: "Root", get: (l) => h("code", l.root) },
			{ label: "After it", get: (l) => l.after_checkpoint ? `${l.after_checkpoint} not counted` : "" },
		], r.logs, "report-logs-table", "No log.")));
	replace(out, parts);
}

function download(id, term, format, text) {
	const link = h("a.button", { href: "#", test: `report-${format}` }, text);
	link.onclick = async (ev) => {
		if (link.download) return; // the file is ready: let the browser save it
		ev.preventDefault();
		try {
			const blob = await fetchReport(id, term, format);
			link.href = URL.createObjectURL(blob);
			link.download = saveName(`${id}-term-${term}.${format}`);
			link.click();
		} catch (e) {
			link.replaceWith(errorBox(e));
		}
	};
	return link;
}
