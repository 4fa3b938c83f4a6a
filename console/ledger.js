// #/ledger: each log's checkpoint, each peer's verification of it (the
// witness), the entries, and the proof of any entry.
"use strict";

import { h, replace, errorBox, missingBox, table, badge, fmt, field, select, when, saveName } from "./dom.js";
import { get, getFile, enc, q, ApiError } from "./api.js";

export async function ledgerPage(main) {
	let logs, missing = null;
	try {
		logs = (await get("/v1/local/ledger/checkpoints")).logs || [];
	} catch (e) {
		if (!(e instanceof ApiError && e.missing)) throw e;
		missing = e;
		logs = (await get("/v1/local/ledger")).logs || [];
	}
	const peers = logs.map((l) => l.peer || "internal");
	const entries = h("div", { test: "ledger-entries" });
	const proof = proofSection(peers);
	replace(main, h("div.page-head", h("h1", "Ledger")),
		missing ? missingBox("GET /v1/local/ledger/checkpoints (signed checkpoints and witnesses); the sizes and roots are from /v1/local/ledger.", missing) : null,
		h("section.block", h("h2", "Logs and checkpoints"), table([
			{ label: "Log", get: (l) => h("code", l.origin) },
			{ label: "Peer", get: (l) => l.peer || "internal" },
			{ label: "Size", get: (l) => String(l.size), test: "ledger-size" },
			{ label: "Root", get: (l) => h("code.id", { title: l.root }, l.root) },
			{ label: "Witness", get: (l) => witness(l.witness, l.peer) },
			{ label: "", get: (l) => l.checkpoint ? h("details", h("summary", "checkpoint"), h("pre.note", l.checkpoint)) : "" },
			{ label: "", get: (l) => h("button.link", { test: "ledger-show", onclick: () => showEntries(entries, l.peer || "internal", proof.prove, l.size) }, "entries") },
		], logs, "ledger-logs", "No log yet.")),
		proof.el, entries);
}

// The peer's witness of this node's log for it, and this node's of theirs.
function witness(w, peer) {
	if (!peer || peer === "internal") return h("span.muted", "this node's own log: no witness");
	if (!w) return badge("unknown", "muted", "witness-status");
	const kind = { verified: "ok", behind: "warn", evidence: "bad", never: "muted" }[w.status] || "plain";
	const label = { verified: "verified by the peer", behind: "peer behind", evidence: "EVIDENCE of a split view",
		never: "never witnessed" }[w.status] || w.status;
	const sub = [];
	if (w.cosigned_size !== undefined && w.cosigned_size !== null) sub.push(`cosigned at size ${w.cosigned_size}${w.cosigned_at ? `, ${fmt(w.cosigned_at)}` : ""}`);
	if (w.peer_log && w.peer_log.verified_size !== undefined) sub.push(`their log verified here to size ${w.peer_log.verified_size}`);
	if (w.evidence) sub.push(`${w.evidence} piece${w.evidence === 1 ? "" : "s"} of evidence kept`);
	return h("span", { dataset: { status: w.status || "" } }, badge(label, kind, "witness-status"),
		sub.map((t) => h("span.small.block-line", t)));
}

// A log's entries, newest first, a page at a time: the entries endpoint
// counts from the oldest, so the page is [size - offset - PAGE, size - offset).
const PAGE = 50;

async function showEntries(el, peer, prove, size, offset = 0) {
	replace(el, h("p.loading", "Loading…"));
	try {
		if (size === undefined) size = (await get(`/v1/local/ledger/${enc(peer)}/entries${q({ from: 0, limit: 1 })}`)).size;
		const to = Math.max(0, size - offset), from = Math.max(0, to - PAGE);
		const r = to > from ? await get(`/v1/local/ledger/${enc(peer)}/entries${q({ from, limit: to - from })}`) : { entries: [], size };
		const entries = (r.entries || []).slice().reverse();
		const newer = h("button", { test: "ledger-newer", disabled: offset === 0 }, "← Newer");
		const older = h("button", { test: "ledger-older", disabled: from === 0 }, "Older →");
		newer.addEventListener("click", () => showEntries(el, peer, prove, size, Math.max(0, offset - PAGE)));
		older.addEventListener("click", () => showEntries(el, peer, prove, size, offset + PAGE));
		replace(el, h("section.block", h("h2", `Entries of the log for ${peer}`),
			h("div.pager", h("span", { test: "ledger-range" }, size ? `Entries ${from}–${to - 1} of ${size}, newest first` : "No entry yet."), newer, older,
				h("a", { href: "#/audit" }, "Search every log in the audit view")),
			table([
				{ label: "#", get: (e) => String(e.index), test: "ledger-index" },
				{ label: "Kind", get: (e) => e.kind },
				{ label: "At", get: (e) => when(e.at), cls: "nowrap" },
				{ label: "Person", get: (e) => e.person || h("span.muted", "(the node)"), test: "ledger-person" },
				{ label: "Item", get: (e) => e.item ? h("code.id", { title: e.item }, e.item) : "", test: "ledger-item" },
				{ label: "Party", get: (e) => e.party },
				{ label: "Fields", get: (e) => h("code.small.fields", Object.entries(e.fields || {}).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(" · ")) },
				{ label: "", get: (e) => h("button.link", { test: "ledger-prove", onclick: () => prove(peer, e.index) }, "prove") },
			], entries, "ledger-entries-table", "No entry.")));
	} catch (e) {
		replace(el, e instanceof ApiError && e.missing ? missingBox("GET /v1/local/ledger/{peer}/entries", e) : errorBox(e));
	}
}

function proofSection(peers) {
	const peer = select("proof-peer", peers.length ? peers : ["internal"]);
	const index = h("input", { test: "proof-index", type: "number", min: 0, value: 0, required: true });
	const out = h("div.out", { test: "proof-result" });
	const btn = h("button.primary", { type: "submit", test: "proof-submit" }, "Prove");
	const f = h("form.inline", { test: "proof-form" }, field("Log", peer), field("Entry", index), btn, out);
	f.addEventListener("submit", async (e) => {
		e.preventDefault();
		btn.disabled = true;
		const path = `/v1/local/ledger/${enc(peer.value)}/proof${q({ index: index.value })}`;
		try {
			const r = await get(path);
			const link = h("a.button", { href: "#", test: "proof-download" }, "Save the proof file");
			link.addEventListener("click", async (ev) => {
				if (link.dataset.ready) return;
				ev.preventDefault();
				try {
					const file = await getFile(`${path}&download=1`);
					link.href = URL.createObjectURL(file.file);
					link.download = saveName(file.name || `${peer.value}-${index.value}.proof`);
					link.dataset.ready = "1";
					link.click();
				} catch (err) {
					out.append(errorBox(err));
				}
			});
			replace(out, h("div", badge(r.verified ? "verified here" : "NOT verified", r.verified ? "ok" : "bad", "proof-verified"),
				` entry ${r.index} of a log of ${r.size}`, h("pre.note", { test: "proof-text" }, r.proof), link,
				h("p.fine", "Anyone holding this node's identity can check it: gsomia ledger verify-proof FILE --identity ID")));
		} catch (err) {
			replace(out, err instanceof ApiError && err.missing ? missingBox("GET /v1/local/ledger/{peer}/proof", err) : errorBox(err));
		} finally {
			btn.disabled = false;
		}
	});
	const el = h("section.block", { test: "ledger-proof" }, h("h2", "Proof of an entry"), f);
	return {
		el,
		prove(p, i) {
			peer.value = p;
			index.value = String(i);
			el.scrollIntoView();
			f.requestSubmit();
		},
	};
}
