// #/holdings[/ITEM]: the inventory (a reader: only what they may open now),
// filtered by originator, classification and status; each item between its
// banners, in the holder's scheme and the originator's; opening an item.
"use strict";

import { h, replace, errorBox, missingBox, field, select, badge, banner, fmt, langOf, setServerNow } from "./dom.js";
import { get, getFile, enc, q, postForFile, hasRole, ApiError } from "./api.js";

const filters = { originator: "", classification: "", status: "" };

export async function holdingsPage(main, rest) {
	if (rest) return itemPage(main, rest);
	const list = h("div.items", { test: "holdings-list" }, h("p.loading", "Loading…"));
	const head = h("div.page-head", h("h1", "Holdings"));
	const bar = h("form.filters", { test: "holdings-filters" });
	replace(main, head, bar, list);

	// the whole list once, for the choices of the filters
	const all = await get("/v1/local/items");
	if (all.at) setServerNow(all.at);
	const items = all.items || [];
	const uniq = (f) => [...new Set(items.map(f).filter(Boolean))].sort();
	const fo = select("holdings-filter-originator", [["", "any originator"], ...uniq((i) => i.originator)], filters.originator);
	const fc = select("holdings-filter-classification", [["", "any classification"],
		...uniq((i) => i.label).map((l) => [l, l]),
		...uniq((i) => (i.marking || [])[0]).filter((l) => !items.some((i) => i.label === l))], filters.classification);
	const fs = select("holdings-filter-status", [["", "any status"], ...uniq((i) => i.status)], filters.status);
	replace(bar, field("Originator", fo), field("Classification", fc), field("Status", fs),
		h("span.view", { test: "holdings-view" }, all.view === "may-open"
			? "Showing only what you may open now." : "The node's whole inventory."));
	const redraw = async () => {
		filters.originator = fo.value;
		filters.classification = fc.value;
		filters.status = fs.value;
		replace(list, h("p.loading", "Loading…"));
		try {
			let got = items;
			if (filters.originator || filters.classification || filters.status) {
				got = (await get(`/v1/local/items${q(filters)}`)).items || [];
				// the same filter here, in case the node ignores the query
				got = got.filter((i) => (!filters.originator || i.originator === filters.originator) &&
					(!filters.classification || i.label === filters.classification || (i.marking || []).includes(filters.classification)) &&
					(!filters.status || i.status === filters.status));
			}
			drawList(list, got, all.view);
		} catch (e) {
			replace(list, errorBox(e));
		}
	};
	for (const sel of [fo, fc, fs]) sel.addEventListener("change", redraw);
	bar.addEventListener("submit", (e) => e.preventDefault());
	drawList(list, applyLocal(items), all.view);
}

function applyLocal(items) {
	return items.filter((i) => (!filters.originator || i.originator === filters.originator) &&
		(!filters.classification || i.label === filters.classification || (i.marking || []).includes(filters.classification)) &&
		(!filters.status || i.status === filters.status));
}

function drawList(list, items, view) {
	if (items.length === 0) {
		replace(list, h("p.empty", { test: "holdings-empty" }, view === "may-open"
			? "There is nothing you may open now." : "No item matches."));
		return;
	}
	replace(list, h("p.item-count", { test: "holdings-count" }, `${items.length} item${items.length === 1 ? "" : "s"}`));
	// a page of cards at a time: an inventory may hold thousands
	const PAGE = 100;
	let shown = 0;
	const more = h("button", { test: "holdings-more" });
	const next = () => {
		more.remove();
		for (const i of items.slice(shown, shown + PAGE)) list.append(itemCard(i));
		shown = Math.min(items.length, shown + PAGE);
		if (shown < items.length) {
			more.textContent = `Show ${Math.min(PAGE, items.length - shown)} more (${items.length - shown} left)`;
			list.append(more);
		}
	};
	more.addEventListener("click", next);
	next();
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
				h("dt", "Released"), h("dd", `${fmt(item.released_at)}${item.released_by ? ` by ${item.released_by}` : ""}`)),
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
			link.download = file.name || `${item.id}.bdo`;
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
		const name = r.name || `${id}.bin`;
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

export function decisionBox(d, err) {
	const permit = d.decision === "permit";
	return h(`div.decision.${permit ? "permit" : "deny"}`, { test: "open-decision", dataset: { decision: d.decision || "" }, role: "alert" },
		h("strong", permit ? "Permitted." : "Refused."),
		err && d.error ? h("div", { test: "open-error" }, d.error) : null,
		d.rule ? h("div", "Rule: ", h("code", { test: "open-rule" }, d.rule)) : null,
		d.reason ? h("div", { test: "open-reason" }, d.reason) : null);
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
				h("li", h("span.when", fmt(c.at)), ` ${c.event} by ${c.actor}`, c.detail ? ` (${c.detail})` : ""))) :
				h("p.empty", "No custody recorded."))));
}
