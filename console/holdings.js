// #/holdings[/ITEM]: the inventory (a reader: only what they may open now)
// as a table or as cards, a page at a time from the node (search, sort by
// date, classification, originator or title, filter by originator,
// classification and status); each item between its banners, in the
// holder's scheme and the originator's; opening an item.
"use strict";

import { h, replace, errorBox, missingBox, field, select, badge, banner, when, langOf, setServerNow, saveName, isExercise } from "./dom.js";
import { get, getFile, enc, q, postForFile, hasRole, ApiError } from "./api.js";

// What the officer chose stays while the page is open; the view also in the browser.
const view = { originator: "", classification: "", status: "", q: "", sort: "released", order: "desc", offset: 0,
	limit: 50, mode: null };

function mode() {
	if (view.mode) return view.mode;
	try {
		view.mode = localStorage.getItem("gsomia.holdings-view") || "cards";
	} catch {
		view.mode = "cards";
	}
	return view.mode;
}

export async function holdingsPage(main, rest) {
	if (rest) return itemPage(main, rest);
	const list = h("div.items", { test: "holdings-list" }, h("p.loading", "Loading…"));
	const bar = h("form.filters", { test: "holdings-filters", role: "search" });
	const pager = h("div.pager", { test: "holdings-pager" });
	replace(main, h("div.page-head", h("h1", "Holdings")), bar, pager, list);
	let first = true, timer = null, seq = 0;

	const search = h("input", { test: "holdings-search", type: "search", value: view.q, placeholder: "title, id, topic, marking…", size: 24,
		"aria-label": "Search the holdings" });
	const fo = select("holdings-filter-originator", [["", "any originator"]], view.originator);
	const fc = select("holdings-filter-classification", [["", "any classification"]], view.classification);
	const fs = select("holdings-filter-status", [["", "any status"]], view.status);
	const sort = select("holdings-sort", [["released", "date"], ["classification", "classification"], ["originator", "originator"], ["title", "title"]], view.sort);
	const order = select("holdings-order", [["desc", "descending"], ["asc", "ascending"]], view.order);
	const asTable = h("button", { type: "button", test: "holdings-as-table", "aria-pressed": String(mode() === "table") }, "Table");
	const asCards = h("button", { type: "button", test: "holdings-as-cards", "aria-pressed": String(mode() === "cards") }, "Cards");
	const note = h("span.view", { test: "holdings-view" });
	replace(bar, field("Search", search), field("Originator", fo), field("Classification", fc), field("Status", fs),
		field("Sort by", sort), field("Order", order), h("div.toggle", { role: "group", "aria-label": "Show as" }, asTable, asCards), note);

	const fillChoices = (sel, values, chosen) => {
		const keep = sel.value || chosen;
		while (sel.options.length > 1) sel.remove(1);
		for (const v of values) sel.append(h("option", { value: v, selected: v === keep }, v));
		sel.value = values.includes(keep) ? keep : "";
	};
	const load = async () => {
		const mine = ++seq;
		const t0 = performance.now();
		try {
			let r = await get(`/v1/local/items${q({ originator: view.originator, classification: view.classification, status: view.status,
				q: view.q, sort: view.sort, order: view.order, offset: view.offset, limit: view.limit })}`);
			if (mine !== seq) return;
			if (r.at) setServerNow(r.at);
			if (r.total === undefined) r = pageHere(r); // a node that does not page: the same, here
			note.textContent = r.view === "may-open" ? "Showing only what you may open now." : "The node's whole inventory.";
			if (r.facets) {
				fillChoices(fo, r.facets.originators || [], view.originator);
				fillChoices(fc, r.facets.classifications || [], view.classification);
				fillChoices(fs, r.facets.statuses || [], view.status);
			}
			drawPager(pager, r, (offset) => {
				view.offset = offset;
				load();
			});
			drawList(list, r, main);
			// how long the page took, for the record (docs/console.md, "Speed")
			list.dataset.loadMs = String(Math.round(performance.now() - t0));
			list.dataset.ready = "1";
		} catch (e) {
			if (mine === seq) replace(list, e instanceof ApiError && e.missing ? missingBox("GET /v1/local/items", e) : errorBox(e));
		}
		first = false;
	};
	const change = () => {
		view.originator = fo.value;
		view.classification = fc.value;
		view.status = fs.value;
		view.sort = sort.value;
		view.order = order.value;
		view.q = search.value.trim();
		view.offset = 0;
		list.dataset.ready = "";
		load();
	};
	for (const sel of [fo, fc, fs, order]) sel.addEventListener("change", change);
	sort.addEventListener("change", () => {
		// newest and most sensitive first; names from A
		order.value = sort.value === "released" || sort.value === "classification" ? "desc" : "asc";
		change();
	});
	search.addEventListener("input", () => {
		clearTimeout(timer);
		timer = setTimeout(change, 250);
	});
	const setMode = (m) => {
		view.mode = m;
		try {
			localStorage.setItem("gsomia.holdings-view", m);
		} catch { /* for this page only */ }
		asTable.setAttribute("aria-pressed", String(m === "table"));
		asCards.setAttribute("aria-pressed", String(m === "cards"));
		load();
	};
	asTable.addEventListener("click", () => setMode("table"));
	asCards.addEventListener("click", () => setMode("cards"));
	bar.addEventListener("submit", (e) => {
		e.preventDefault();
		change();
	});
	await load();
	void first;
}

// The same page made here from a whole list, for a node that does not page.
function pageHere(r) {
	let items = (r.items || []).filter((i) => (!view.originator || i.originator === view.originator) &&
		(!view.classification || i.label === view.classification || (i.marking || []).includes(view.classification)) &&
		(!view.status || i.status === view.status) &&
		(!view.q || view.q.toLowerCase().split(/\s+/).every((w) => JSON.stringify(i).toLowerCase().includes(w))));
	const key = (i) => view.sort === "released" ? (i.released_at || i.created_at || "") : view.sort === "title" ? i.title || ""
		: view.sort === "originator" ? i.originator : i.label;
	items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (view.order === "desc" ? -1 : 1));
	const uniq = (f) => [...new Set((r.items || []).flatMap(f).filter(Boolean))].sort();
	const total = items.length;
	items = items.slice(view.offset, view.offset + view.limit);
	return { ...r, items, total, offset: view.offset, limit: view.limit, next: view.offset + view.limit < total ? view.offset + view.limit : null,
		facets: { originators: uniq((i) => [i.originator]), classifications: uniq((i) => [i.label, ...(i.marking || [])]), statuses: uniq((i) => [i.status]) } };
}

function drawPager(pager, r, go) {
	const prev = h("button", { test: "holdings-prev", disabled: r.offset === 0, type: "button" }, "← Previous");
	const next = h("button", { test: "holdings-next", disabled: r.next === null, type: "button" }, "Next →");
	prev.addEventListener("click", () => go(Math.max(0, r.offset - r.limit)));
	next.addEventListener("click", () => go(r.next));
	replace(pager, h("span.item-count", { test: "holdings-count" }, r.total === 0 ? "No item." :
		`Items ${r.offset + 1}–${r.offset + r.items.length} of ${r.total}`), prev, next);
}

function drawList(list, r, main) {
	if (r.total === 0) {
		replace(list, h("p.empty", { test: "holdings-empty" }, r.view === "may-open" && !view.q && !view.originator && !view.classification && !view.status
			? "There is nothing you may open now." : "No item matches."));
		return;
	}
	if (mode() === "table") {
		replace(list, holdingsTable(r.items, main));
		return;
	}
	replace(list, r.items.map((i) => itemCard(i)));
}

// The inventory as a table: one row per item, its marking first.
function holdingsTable(items) {
	const rows = items.map((i) => {
		const holder = i.banners && i.banners.holder ? i.banners.holder.text : (i.marking || []).join(" / ");
		return h("tr", { test: "holdings-table-row", dataset: { item: i.id } },
			h("td", h("span.marking-chip", { lang: langOf(i.holder), test: "row-marking" }, isExercise() ? "EXERCISE " : "", holder || "—")),
			h("td.title-cell", h("a", { href: `#/holdings/${enc(i.id)}`, test: "row-title" }, i.title || i.id)),
			h("td", h("code.id", { title: i.id, test: "row-id" }, i.id)),
			h("td", { test: "row-originator" }, i.originator),
			h("td", { lang: langOf(i.originator), test: "row-classification" }, i.label),
			h("td.nowrap", { test: "row-date" }, when(i.released_at || i.created_at)),
			h("td", badge(i.status || "?", i.status === "active" ? "ok" : "warn")));
	});
	return h("div.table-scroll", h("table.grid.holdings", { test: "holdings-table" },
		h("caption.visually-hidden", "Holdings"),
		h("thead", h("tr", ["Marking", "Title", "Item", "Originator", "Classification", "Date", "Status"].map((t) => h("th", { scope: "col" }, t)))),
		h("tbody", rows)));
}

export function itemCard(item, extra) {
	const out = h("div.out", { test: "open-result" });
	const openBtn = h("button", { test: "item-open", onclick: () => openItem(item.id, out, openBtn) }, "Open");
	return h("article.card.item", { test: "item-card", dataset: { item: item.id } },
		banner(item.banners, item, "top"),
		h("div.item-body",
			h("h3", h("a", { href: `#/holdings/${enc(item.id)}`, test: "item-title" }, item.title || item.id)),
			h("dl.kv.compact",
				h("dt", "Item"), h("dd", h("code", { test: "item-id" }, item.id)),
				h("dt", "Originator"), h("dd", { test: "item-originator" }, `${item.originator_name || item.originator} (${item.originator})`),
				h("dt", "Classification"), h("dd", h("span", { lang: langOf(item.originator) }, item.label),
					" → ", h("span", { lang: langOf(item.holder) }, (item.marking || []).join(" / ") || "—")),
				h("dt", "Agreement"), h("dd", `${item.agreement || "—"}${item.agreement_version ? ` v${item.agreement_version}` : ""}`),
				h("dt", "Purpose / topic"), h("dd", `${item.purpose || "—"} / ${item.topic || "—"}`),
				h("dt", "Status"), h("dd", badge(item.status || "?", item.status === "active" ? "ok" : "warn", "item-status")),
				h("dt", item.released_at ? "Released" : "Made"), h("dd", when(item.released_at || item.created_at), item.released_by ? ` by ${item.released_by}` : ""),
				item.name ? [h("dt", "File"), h("dd", h("code", { test: "item-name" }, item.name))] : null),
			extra || null,
			h("div.actions-row", openBtn,
				hasRole("nsa-officer", "registry") ? h("a.button", { href: `#/actions/incident-item:${enc(item.id)}`, test: "item-report" }, "Report an incident") : null,
				bindingLink(item, out)),
			out),
		banner(item.banners, item, "bottom"));
}

// The item's labels, bound to its bundle's payload and signed by the node
// (STANAG 4774 labels in a STANAG 4778 binding, docs/labels.md): what the
// allies' labelling tools read. Made when asked for; nothing is logged.
function bindingLink(item, out) {
	if (!item.bundle || item.status === "destroyed" || item.status === "returned" ||
		!hasRole("registry", "auditor", "nsa-officer")) return null;
	const link = h("a.button", { href: "#", test: "item-binding", title: `STANAG 4778 binding of bundle ${item.bundle}` },
		"Labels (STANAG 4778)");
	link.addEventListener("click", async (ev) => {
		if (link.dataset.ready) return;
		ev.preventDefault();
		try {
			const file = await getFile(`/v1/local/items/${enc(item.id)}/binding`);
			link.href = URL.createObjectURL(file.file);
			link.download = saveName(file.name || `${item.id}.bdo`);
			link.dataset.ready = "1";
			link.click();
		} catch (err) {
			out.append(errorBox(err));
		}
	});
	return link;
}

// Opens an item as the signed-in person: the plaintext on a permit, the
// decision and its reason on a refusal. Both are logged by the node.
export async function openItem(id, out, button) {
	if (button) button.disabled = true;
	replace(out, h("p.loading", "Opening…"));
	try {
		const r = await postForFile(`/v1/local/items/${enc(id)}/open`, {});
		if (r.json) {
			replace(out, decisionBox(r.json));
			return;
		}
		const url = URL.createObjectURL(r.file);
		const name = saveName(r.name || `${id}.bin`);
		const parts = [h("div.decision.permit", { test: "open-decision", dataset: { decision: "permit" } },
			h("strong", "Permitted."), " The opening is logged in the node's ledger."),
		h("a.button", { href: url, download: name, test: "open-download" }, `Save ${name} (${r.file.size} bytes)`)];
		const text = await textOf(r.file);
		if (text !== null) {
			parts.push(h("pre.plaintext", { test: "open-content" }, text.shown));
			if (text.more) parts.push(h("p.fine", `… and ${text.more} more bytes: save the file to read them.`));
		}
		replace(out, parts);
	} catch (e) {
		if (e instanceof ApiError && e.body && e.body.decision) replace(out, decisionBox(e.body, e));
		else if (e instanceof ApiError && e.missing) replace(out, missingBox("POST /v1/local/items/{id}/open", e));
		else replace(out, errorBox(e));
	} finally {
		if (button) button.disabled = false;
	}
}

// The node's decision, its reason said once: "Refused: <reason>", and the rule.
export function decisionBox(d, err) {
	const permit = d.decision === "permit";
	const status = err && err.status ? err.status : null;
	return h(`div.decision.${permit ? "permit" : "deny"}`, { test: "open-decision", dataset: { decision: d.decision || "" }, role: "alert" },
		h("strong", permit ? "Permitted" : "Refused"), d.reason ? ": " : ".",
		d.reason ? h("span", { test: "open-reason" }, d.reason) : (err && d.error ? h("span", { test: "open-error" }, d.error) : null),
		d.rule ? h("div.small", "Rule ", h("code", { test: "open-rule" }, d.rule), status ? ` · the node answered ${status}` : "") : null);
}

// The first 64 KiB of a text file, to read in place; null for other bytes.
async function textOf(blob) {
	const LIMIT = 64 * 1024;
	const buf = new Uint8Array(await blob.slice(0, LIMIT).arrayBuffer());
	if (buf.includes(0)) return null;
	try {
		// a cut in the middle of a character is not an error: stream mode
		const shown = new TextDecoder("utf-8", { fatal: true }).decode(buf, { stream: blob.size > LIMIT });
		return { shown, more: Math.max(0, blob.size - LIMIT) };
	} catch {
		return null;
	}
}

async function itemPage(main, id) {
	let rec;
	try {
		rec = await get(`/v1/local/items/${enc(id)}`);
	} catch (e) {
		if (!(e instanceof ApiError && e.missing)) throw e;
		// without the record's endpoint: the item from the list, if it is there
		const all = await get("/v1/local/items");
		rec = (all.items || []).find((i) => i.id === id);
		if (!rec) {
			replace(main, h("h1", "Item"), missingBox("GET /v1/local/items/{id}", e));
			return;
		}
	}
	const item = rec.item && rec.item.id ? { ...rec.item, banners: rec.banners || rec.item.banners, custody: rec.custody || rec.item.custody } : rec;
	const custody = item.custody || [];
	replace(main, h("div.page-head", h("h1", item.title || item.id), h("a", { href: "#/holdings" }, "← all holdings")),
		itemCard(item, h("section.block", h("h4", "Custody"),
			custody.length ? h("ol.custody", { test: "item-custody" }, custody.map((c) =>
				h("li", h("span.when", when(c.at)), ` ${c.event} by ${c.actor}`, c.detail ? ` (${c.detail})` : ""))) :
				h("p.empty", "No custody recorded."))));
}
