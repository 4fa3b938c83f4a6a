// #/warnings: missile warnings as they arrive (docs/warnings.md, "The
// console's live view"). The node's stream, GET /v1/local/warnings/stream,
// sends each warning this person may open as one event; the page draws it
// on a map of the region (coast.js: Natural Earth, built in) between its
// banners, with its chain of custody and the latency of each hop. The
// earlier ones stay listed, newest first, to be selected.
"use strict";

import { h, s, replace, errorBox, missingBox, when, banner, badge, fmtInstant, nodeParty } from "./dom.js";
import { get, q, ApiError } from "./api.js";
import { LAND, COAST, SOURCE } from "./coast.js";

const STREAM = "/v1/local/warnings/stream";
const LIST = "/v1/local/warnings";
const KEEP = 500;         // warnings kept in the page; older ones are a reload away
const RETRY_MS = 3000;    // a stream the browser gave up on is opened again after this

// The map: 118E-150E, 24N-48N, equirectangular with its standard parallel
// at 36N (true scale along it and along every meridian), K pixels to a
// degree of latitude.
const REGION = { west: 118, east: 150, south: 24, north: 48 };
const PHI0 = 36;
const K = 36;
const EARTH_R = 6371008.8; // metres: the mean radius, for the ellipses' outlines

const TYPES = {
	unknown: "type not assessed",
	srbm: "SRBM · short-range ballistic missile",
	mrbm: "MRBM · medium-range ballistic missile",
	irbm: "IRBM · intermediate-range ballistic missile",
	icbm: "ICBM · intercontinental ballistic missile",
	slbm: "SLBM · submarine-launched ballistic missile",
	hgv: "HGV · hypersonic glide vehicle",
	cruise: "cruise missile",
	"space-launch": "space launch vehicle",
};

// Where the map writes each party's code (its full name on hover).
const LABELS = { KOR: [128.1, 36.4], PRK: [126.9, 41.1], JPN: [138.9, 36.6], CHN: [122.6, 44.2], RUS: [134.7, 46.6] };

export async function warningsPage(main) {
	const view = new LiveView(main);
	await view.start();
	return () => view.stop();
}

class LiveView {
	constructor(main) {
		this.main = main;
		this.records = new Map(); // seq -> record (warnings and relay refusals)
		this.cursor = 0;          // the last seq this page holds
		this.selected = null;     // the seq shown, or null: the newest
		this.unseen = 0;          // arrived while an earlier warning is shown
		this.source = null;
		this.retry = null;
		this.stopped = false;
	}

	async start() {
		// what came before the page was opened, oldest first, a page at a time
		try {
			let after = 0;
			for (;;) {
				const r = await get(`${LIST}${q({ since: after, limit: 200 })}`);
				const list = r.warnings || [];
				for (const rec of list) if (this.keep(rec) && rec.kind === "relay-refusal") this.noteRefusal(rec);
				// next: the last row the node read, shown to this person or not
				const next = typeof r.next === "number" ? r.next : Math.max(after, ...list.map((x) => x.seq || 0));
				if (next <= after) break;
				after = next;
			}
			if (after > this.cursor) this.cursor = after;
		} catch (e) {
			if (e instanceof ApiError && e.missing) {
				replace(this.main, h("div.page-head", h("h1", "Missile warnings")),
					missingBox("GET /v1/local/warnings and its stream (the warning channel)", e));
				return;
			}
			throw e;
		}
		this.layout();
		this.draw();
		this.open();
	}

	stop() {
		this.stopped = true;
		clearTimeout(this.retry);
		if (this.source) this.source.close();
		this.source = null;
	}

	keep(rec) {
		if (!rec || typeof rec.seq !== "number" || this.records.has(rec.seq)) return false;
		this.records.set(rec.seq, rec);
		if (rec.seq > this.cursor) this.cursor = rec.seq;
		if (this.records.size > KEEP) {
			const oldest = Math.min(...this.records.keys());
			if (oldest !== this.selected) this.records.delete(oldest);
		}
		return true;
	}

	// ---- the stream ----

	open() {
		if (this.stopped) return;
		// EventSource sends the cookie (same origin) and, when it reconnects
		// by itself, Last-Event-ID: the node replays what came after it.
		const src = new EventSource(`${STREAM}${q({ since: this.cursor })}`);
		this.source = src;
		this.status("connecting");
		src.addEventListener("open", () => this.status("live"));
		const take = (ev) => {
			let rec;
			try {
				rec = JSON.parse(ev.data);
			} catch {
				return;
			}
			if (typeof rec.seq !== "number" && ev.lastEventId) rec.seq = Number(ev.lastEventId);
			this.arrive(rec);
		};
		src.addEventListener("warning", take);
		src.addEventListener("relay-refusal", take);
		src.addEventListener("error", () => {
			if (this.stopped || src !== this.source) return;
			if (src.readyState === EventSource.CONNECTING) {
				this.status("reconnecting");
				return;
			}
			// the browser gave up (the node answered with an error): is the
			// session still there? A 401 takes the console to the sign-in.
			src.close();
			this.status("reconnecting");
			get("/v1/session").then(() => {
				if (!this.stopped) this.retry = setTimeout(() => this.open(), RETRY_MS);
			}, (e) => {
				if (!(e instanceof ApiError && e.status === 401) && !this.stopped) this.retry = setTimeout(() => this.open(), RETRY_MS);
			});
		});
	}

	arrive(rec) {
		if (!this.keep(rec)) return; // a replay of one already shown
		if (rec.kind === "relay-refusal") {
			this.noteRefusal(rec);
			this.announce(`Relay refused: ${rec.hub || "the hub"} did not pass ${refusedId(rec) || "a warning"} on to ${rec.to}.`);
		} else {
			const w = rec.warning || {};
			this.announce(`New missile warning ${w.id || ""}: ${TYPES[w.type] || w.type || ""}, from ${rec.originator || w.originator || ""}.`);
			if (this.selected !== null) this.unseen++;
		}
		this.draw();
	}

	// The hub's refusal, on the warning it is about too (the record the page
	// holds was sent before the hub's word came back).
	noteRefusal(rec) {
		const id = refusedId(rec);
		const about = [...this.records.values()].find((r) => r.kind !== "relay-refusal" && (r.warning || {}).id === id);
		if (!about) return;
		about.relays = about.relays || [];
		if (about.relays.some((x) => x.outcome === "refused" && x.to === rec.to && (x.via || "") === (rec.hub || "") && x.at === rec.at)) return;
		about.relays.push({ via: rec.hub, to: rec.to, outcome: "refused", rule: rec.rule, reason: rec.reason, at: rec.at });
		if (this.detailEl && this.detailEl.dataset.seq === String(about.seq)) delete this.detailEl.dataset.seq; // drawn again
	}

	status(state) {
		if (!this.statusEl) return;
		const text = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…" }[state] || state;
		const kind = { live: "ok", reconnecting: "warn" }[state] || "muted";
		this.statusEl.dataset.state = state;
		replace(this.statusEl, badge(text, kind), state === "reconnecting" ?
			h("span.small", " the stream dropped; what arrives meanwhile is caught up on return") : null);
	}

	announce(text) {
		if (this.announcer) this.announcer.textContent = text;
	}

	// ---- the page ----

	layout() {
		this.statusEl = h("span.stream", { test: "warnings-stream", role: "status" });
		this.announcer = h("div.visually-hidden", { test: "warnings-announce", "aria-live": "polite" });
		this.listEl = h("div", { test: "warnings-list-box" });
		this.detailEl = h("div.warning-detail-box");
		replace(this.main,
			h("div.page-head", h("h1", "Missile warnings"), this.statusEl),
			this.announcer,
			h("div.split.warnings", h("aside.list", { "aria-label": "Warnings, newest first" }, this.listEl), this.detailEl));
		this.status("connecting");
	}

	sorted() {
		return [...this.records.values()].sort((a, b) => b.seq - a.seq);
	}

	shown() {
		const warnings = this.sorted().filter((r) => r.kind !== "relay-refusal");
		if (this.selected !== null) {
			const r = this.records.get(this.selected);
			if (r) return r;
			this.selected = null;
		}
		return warnings[0] || null;
	}

	select(seq) {
		const newest = this.sorted().find((r) => r.kind !== "relay-refusal");
		this.selected = newest && newest.seq === seq ? null : seq;
		if (this.selected === null) this.unseen = 0;
		this.draw();
		const row = this.listEl.querySelector(`button[data-seq="${seq}"]`);
		if (row) row.focus();
	}

	draw() {
		// a row that had the focus keeps it when the list is drawn again
		const focused = this.listEl.contains(document.activeElement) ? document.activeElement.dataset.seq : null;
		const all = this.sorted();
		const current = this.shown();
		const rows = all.map((r) => r.kind === "relay-refusal" ? refusalRow(r) : this.row(r, current));
		const newer = this.unseen && this.selected !== null ? h("button.new-warnings", {
			test: "warnings-new", onclick: () => {
				this.selected = null;
				this.unseen = 0;
				this.draw();
			},
		}, `${this.unseen} new — show the newest`) : null;
		replace(this.listEl, newer, rows.length ?
			h("ol.warning-rows", { test: "warnings-list", onkeydown: (e) => this.keys(e) }, rows) :
			h("p.empty.pad", { test: "warnings-empty" }, "No warning yet. Each one appears here the moment it arrives; the page need not be reloaded."));
		if (focused) {
			const row = this.listEl.querySelector(`button[data-seq="${focused}"]`);
			if (row) row.focus();
		}
		if (!current) {
			replace(this.detailEl, h("section.block", h("h2", "Waiting for warnings"),
				h("p", "This page holds the node's stream open. A warning you may open is drawn here as it arrives: its launch point, track and predicted impact on the map, between its banners, with its chain of custody."),
				h("p.fine", { test: "map-source" }, `Map: ${SOURCE}`)));
			return;
		}
		if (this.detailEl.dataset.seq !== String(current.seq)) {
			replace(this.detailEl, detail(current));
			this.detailEl.dataset.seq = String(current.seq);
		}
	}

	row(r, current) {
		const w = r.warning || {};
		const on = current && current.seq === r.seq;
		return h("li", h("button.warning-row", {
			type: "button", test: "warning-row", class: on ? "active" : "", "aria-current": on ? "true" : null,
			dataset: { seq: String(r.seq), warning: w.id || "" }, onclick: () => this.select(r.seq),
		},
		h("span.row-marking", { test: "row-marking" }, markingHere(r) || "—"),
		h("span.id", w.id || "?"),
		h("span.sub", `${(w.type || "unknown").toUpperCase()} · ${r.originator || w.originator || "?"}${r.from && r.from !== r.originator ? ` via ${r.from}` : ""} · `, when(w.detected))));
	}

	// Up and down move through the list; Home and End to its ends.
	keys(e) {
		const rows = [...this.listEl.querySelectorAll("button.warning-row")];
		const i = rows.indexOf(document.activeElement);
		if (i < 0) return;
		const to = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1 }[e.key];
		if (to === undefined || !rows[to]) return;
		e.preventDefault();
		rows[to].focus();
	}
}

function refusedId(r) {
	return r.warning_id || (typeof r.warning === "string" ? r.warning : "") || r.id || "";
}

function refusalRow(r) {
	const id = refusedId(r);
	return h("li.refusal", { test: "warning-refusal", dataset: { seq: String(r.seq), warning: id } },
		h("strong", "Relay refused"), " ",
		h("span", `${r.hub || "the hub"} did not pass ${id || `a warning of ${r.topic || "this node"}`} on to ${r.to || "?"}`),
		h("span.sub", { test: "refusal-rule" }, r.rule ? `${r.rule}: ` : "", r.reason || ""),
		h("span.sub", when(r.at)));
}

// ---- one warning ----

// Published here: the node is the originator, and its marking is its own
// (banner_recipient is then what the first recipient marks it).
function ownRecord(r) {
	const here = nodeParty();
	return here ? (r.originator || (r.warning || {}).originator) === here : (r.chain || []).length === 1 && r.from === r.originator;
}

// The marking this node shows the warning under.
function markingHere(r) {
	return ownRecord(r) ? r.banner_originator || (r.warning || {}).classification : r.banner_recipient;
}

function detail(r) {
	const w = r.warning || {};
	const banners = {
		holder: { scheme: nodeParty() || "", text: markingHere(r) },
		originator: { scheme: r.originator || w.originator, text: r.banner_originator || w.classification },
	};
	const impacts = w.impacts || [];
	return h("article.card.warning", { test: "warning-detail", dataset: { seq: String(r.seq), warning: w.id || "" } },
		banner(banners, {}, "top"),
		h("div.card-head",
			h("h2", { test: "warning-id" }, w.id || "warning"),
			h("div.meta",
				badge(TYPES[w.type] || w.type || "—", "bad", "warning-type"), " ",
				h("span", { test: "warning-confidence" }, `${w.confidence ?? "—"} % confidence`), " · from ",
				h("strong", { test: "warning-originator" }, r.originator || w.originator || "—"),
				r.exercise ? h("span.exercise-tag.inline", "EXERCISE") : null)),
		h("div.warning-body",
			mapFigure(w),
			h("div.warning-grid",
				h("dl.kv.compact", { test: "warning-facts" },
					h("dt", "Detected"), h("dd", when(w.detected, "warning-detected")),
					h("dt", "Sensor"), h("dd", { test: "warning-sensor" }, w.sensor ? `${w.sensor.name} (${w.sensor.party})` : "—"),
					h("dt", "Launch"), h("dd", { test: "warning-launch" }, w.launch ? [when(w.launch.time), h("br"), position(w.launch)] : "—"),
					h("dt", "Classification"), h("dd", { test: "warning-classification" }, w.classification || "—", " ", h("span.scheme", r.originator || w.originator || "")),
					h("dt", "Under"), h("dd", { test: "warning-agreement" }, `${w.agreement || "—"} · ${w.topic || "—"}`),
					h("dt", "Item"), h("dd", h("code.id", { test: "warning-item", title: r.item || "" }, r.item || "—")),
					ownRecord(r) ? [h("dt", "Published"), h("dd", precise(r.received || (r.chain && r.chain[0] && r.chain[0].sent), "warning-received"))] :
						[h("dt", "Received"), h("dd", precise(r.received, "warning-received"))]),
				h("div", chain(r), relays(r)),
				impacts.length ? insetFigure(w) : null)),
		impactsTable(impacts),
		trackTable(w.track || []),
		h("p.fine.map-source", { test: "map-source" }, `Map: ${SOURCE}. Equirectangular, true scale at ${PHI0}°N.`),
		banner(banners, {}, "bottom"));
}

function position(p) {
	const lat = Number(p.lat), lon = Number(p.lon);
	return `${Math.abs(lat).toFixed(4)}°${lat < 0 ? "S" : "N"} ${Math.abs(lon).toFixed(4)}°${lon < 0 ? "W" : "E"}`;
}

// An instant with its milliseconds, in the display zone (UTC on hover):
// the hops of the chain are a few milliseconds apart.
function precise(instant, test) {
	const t = Date.parse(instant || "");
	if (Number.isNaN(t)) return h("span.muted", { test }, "—");
	const whole = fmtInstant(Math.floor(t / 1000) * 1000);
	const ms = String(((t % 1000) + 1000) % 1000).padStart(3, "0");
	const cut = whole.lastIndexOf(" ");
	return h("time.when", { test, dateTime: new Date(t).toISOString(), title: new Date(t).toISOString() },
		`${whole.slice(0, cut)}.${ms}${whole.slice(cut)}`);
}

function latency(ms) {
	if (typeof ms !== "number" || !Number.isFinite(ms)) return "—";
	if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
	return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

// The chain of custody: each party the warning passed, when it came and
// went, and between two parties the hop's latency.
function chain(r) {
	const links = r.chain || [];
	if (!links.length) return null;
	const hops = r.hops || [];
	const items = [];
	links.forEach((c, i) => {
		if (i > 0) {
			const prev = links[i - 1];
			const hop = hops.find((x) => x.from === prev.party && x.to === c.party) || hops[i - 1];
			items.push(h("li.hop", { test: "warning-hop", dataset: { from: prev.party, to: c.party, ms: hop ? String(hop.ms) : "" } },
				h("span.arrow", { "aria-hidden": "true" }, "↓"), " ",
				h("span", { test: "hop-ms" }, hop ? latency(hop.ms) : "—"),
				h("span.small", ` ${prev.party} → ${c.party}`)));
		}
		items.push(h("li.link", { test: "chain-party", dataset: { party: c.party } },
			h("strong", c.party),
			c.received ? h("span.block-line", "received ", precise(c.received, "chain-received")) : null,
			c.sent ? h("span.block-line", "sent ", precise(c.sent, "chain-sent")) : null));
	});
	const total = hops.reduce((t, x) => t + (typeof x.ms === "number" ? x.ms : 0), 0);
	return h("section.chain", h("h3", "Chain of custody"),
		h("ol.chain-list", { test: "warning-chain", "aria-label": `Chain of custody: ${links.map((c) => c.party).join(" to ")}` }, items),
		hops.length ? h("p.small", { test: "chain-total" }, `${links[0].party} to ${links[links.length - 1].party}: ${latency(total)} in ${hops.length} hop${hops.length === 1 ? "" : "s"}`) : null);
}

// Where the warning went from here: at the originator, to whom it was
// released (and the hub's word on each onward leg); at a hub, what it
// relayed onward or refused to.
function relays(r) {
	const published = r.published || [], onward = r.relays || [];
	if (!published.length && !onward.length) return null;
	return h("section.relays", h("h3", published.length ? "Released to" : "Relayed onward"),
		published.length ? h("ul", { test: "warning-published" }, published.map((x) => h("li", { test: "warning-release", dataset: { to: x.to } },
			badge("released", "ok"), ` to ${x.to} under ${x.agreement || "—"}`, x.banner_recipient ? ` as ${x.banner_recipient}` : ""))) : null,
		onward.length ? h("ul", { test: "warning-relays" }, onward.map((x) => h("li", { test: "warning-relay", dataset: { to: x.to, outcome: x.outcome, via: x.via || "" } },
			x.outcome === "relayed" ? [badge("relayed", "ok"), ` ${x.via ? `by ${x.via} ` : ""}to ${x.to} `, x.item ? h("code.id", x.item) : null] :
				[badge("refused", "bad"), ` ${x.via ? `by ${x.via} ` : ""}to ${x.to}: `, h("span", { test: "relay-rule" }, x.rule || ""), " ", x.reason || "",
					x.at ? [" ", when(x.at)] : null]))) : null);
}

function impactsTable(impacts) {
	if (!impacts.length) return h("p.small.pad", { test: "warning-impacts" }, "No predicted impact yet (a first report).");
	return h("section.block", h("h3", "Predicted impacts"), h("div.table-scroll", h("table.grid", { test: "warning-impacts" },
		h("thead", h("tr", ["#", "Time", "Point", "Error ellipse (semi-axes)", "Orientation"].map((t) => h("th", t)))),
		h("tbody", impacts.map((p, i) => h("tr", { test: "warning-impacts-row" },
			h("td", String(i + 1)), h("td", when(p.time)), h("td", position(p)),
			h("td", `${km(p.ellipse.semi_major)} × ${km(p.ellipse.semi_minor)}`),
			h("td", `${p.ellipse.orientation}° from true north`)))))));
}

function trackTable(track) {
	if (!track.length) return null;
	return h("details.block", { test: "warning-track" }, h("summary", `Track: ${track.length} point${track.length === 1 ? "" : "s"}`),
		h("div.table-scroll", h("table.grid",
			h("thead", h("tr", ["Time", "Point", "Altitude", "Speed", "Course"].map((t) => h("th", t)))),
			h("tbody", track.map((p) => h("tr", h("td", when(p.time)), h("td", position(p)),
				h("td", km(p.alt)), h("td", `${p.speed} m/s`), h("td", `${p.course}°`)))))));
}

function km(m) {
	const v = Number(m);
	return v >= 10000 ? `${(v / 1000).toFixed(0)} km` : v >= 1000 ? `${(v / 1000).toFixed(1)} km` : `${v} m`;
}

// ---- the map ----

// A projection of a box [west, east, south, north], k pixels to a degree of
// latitude, equirectangular about the parallel phi0.
function projection(box, k, phi0 = PHI0) {
	const c = Math.cos(phi0 * Math.PI / 180);
	return {
		box, k, c,
		width: (box.east - box.west) * c * k,
		height: (box.north - box.south) * k,
		x: (lon) => (lon - box.west) * c * k,
		y: (lat) => (box.north - lat) * k,
	};
}

const f1 = (v) => (Math.round(v * 10) / 10).toString();

function pathOf(flat, P, close) {
	let d = "";
	for (let i = 0; i < flat.length; i += 2) d += `${i ? "L" : "M"}${f1(P.x(flat[i] / 100))} ${f1(P.y(flat[i + 1] / 100))}`;
	return close ? `${d}Z` : d;
}

// The outline of an error ellipse: semi-axes a and b in metres, the major
// axis at theta degrees clockwise from true north, laid out in the plane
// tangent at the impact point and carried onto the sphere by distance and
// bearing from it (azimuthal equidistant), so that a wide ellipse far north
// is as wide on the ground as it says. Returns [[lon, lat], ...].
export function ellipseOutline(lat, lon, a, b, theta, n = 72) {
	const rad = Math.PI / 180;
	const th = theta * rad, phi1 = lat * rad, lam1 = lon * rad;
	const out = [];
	for (let i = 0; i < n; i++) {
		const t = (2 * Math.PI * i) / n;
		const east = a * Math.cos(t) * Math.sin(th) + b * Math.sin(t) * Math.cos(th);
		const north = a * Math.cos(t) * Math.cos(th) - b * Math.sin(t) * Math.sin(th);
		const delta = Math.hypot(east, north) / EARTH_R;
		const beta = Math.atan2(east, north);
		const phi2 = Math.asin(Math.sin(phi1) * Math.cos(delta) + Math.cos(phi1) * Math.sin(delta) * Math.cos(beta));
		const lam2 = lam1 + Math.atan2(Math.sin(beta) * Math.sin(delta) * Math.cos(phi1), Math.cos(delta) - Math.sin(phi1) * Math.sin(phi2));
		out.push([lam2 / rad, phi2 / rad]);
	}
	return out;
}

let clipSerial = 0;

// The region's land, coast and graticule, and the warning on top.
function drawMap(P, w, { test, step, labels, scaleKm, title }) {
	const clip = `map-clip-${++clipSerial}`;
	const frame = { x: 0, y: 0, width: f1(P.width), height: f1(P.height) };
	const land = s("g", { class: "map-land", test: "map-land" });
	for (const c of LAND) {
		land.append(s("path", { class: `land land-${c.party}`, "data-party": c.party, d: c.rings.map((r) => pathOf(r, P, true)).join("") },
			s("title", c.name)));
	}
	const grat = s("g", { class: "map-graticule", test: "map-graticule" });
	const gratLabels = s("g", { class: "map-graticule-labels" });
	// lines every step degrees, labels where they have room
	const first = (v) => Math.ceil(v / step - 1e-9) * step;
	const lonEvery = [1, 2, 5, 10].find((n) => n * step * P.c * P.k >= 64) || 10;
	const latEvery = [1, 2, 5, 10].find((n) => n * step * P.k >= 36) || 10;
	for (let lon = first(P.box.west); lon <= P.box.east + 1e-9; lon += step) {
		const x = P.x(lon);
		grat.append(s("line", { x1: f1(x), x2: f1(x), y1: 0, y2: f1(P.height) }));
		if (Math.round((lon - first(P.box.west)) / step) % lonEvery === 0 && x > 28 && x < P.width - 30) {
			gratLabels.append(s("text", { class: "grat-label", test: "map-graticule-label", x: f1(x), y: 14, "text-anchor": "middle" }, deg(lon, "E", "W", step)));
		}
	}
	for (let lat = first(P.box.south); lat <= P.box.north + 1e-9; lat += step) {
		const y = P.y(lat);
		grat.append(s("line", { x1: 0, x2: f1(P.width), y1: f1(y), y2: f1(y) }));
		if (Math.round((lat - first(P.box.south)) / step) % latEvery === 0 && y > 24 && y < P.height - 30) {
			gratLabels.append(s("text", { class: "grat-label", test: "map-graticule-label", x: 4, y: f1(y - 3) }, deg(lat, "N", "S", step)));
		}
	}
	const coast = s("path", { class: "map-coast", test: "map-coast", d: COAST.map((r) => pathOf(r, P, false)).join("") });
	const names = s("g", { class: "map-names" });
	if (labels) {
		for (const c of LAND) {
			const at = LABELS[c.party];
			if (at) names.append(s("text", { class: "country-label", x: f1(P.x(at[0])), y: f1(P.y(at[1])), "text-anchor": "middle" }, c.party, s("title", c.name)));
		}
	}
	const svg = s("svg", {
		class: `warning-map ${test}`, test, viewBox: `0 0 ${frame.width} ${frame.height}`, role: "img",
		"aria-label": title, "data-west": P.box.west, "data-east": P.box.east, "data-south": P.box.south, "data-north": P.box.north,
	},
	s("defs", s("clipPath", { id: clip }, s("rect", frame))),
	s("rect", { class: "map-sea", ...frame }),
	s("g", { "clip-path": `url(#${clip})` }, land, grat, coast, names, warningLayer(P, w)),
	gratLabels,
	scaleKm ? scaleBar(P, scaleKm) : null,
	s("rect", { class: "map-frame", ...frame }));
	return svg;
}

function deg(v, pos, neg, step) {
	const a = Math.abs(v);
	return `${step < 1 ? a.toFixed(1) : Math.round(a)}°${v < 0 ? neg : pos}`;
}

// A bar of n km, true along the standard parallel and every meridian.
function scaleBar(P, n) {
	const px = (n * 1000 / (EARTH_R * Math.PI / 180)) * P.k;
	const x = 12, y = P.height - 14;
	return s("g", { class: "map-scale", test: "map-scale" },
		s("rect", { class: "scale-back", x: x - 6, y: y - 18, width: f1(px + 12), height: 26 }),
		s("line", { x1: x, x2: f1(x + px), y1: y, y2: y }),
		s("line", { x1: x, x2: x, y1: y - 5, y2: y + 3 }),
		s("line", { x1: f1(x + px), x2: f1(x + px), y1: y - 5, y2: y + 3 }),
		s("text", { x: f1(x + px / 2), y: y - 6, "text-anchor": "middle" }, `${n} km`));
}

function warningLayer(P, w) {
	const g = s("g", { class: "map-warning", test: "map-warning" });
	for (const [i, p] of (w.impacts || []).entries()) {
		const e = p.ellipse || {};
		const ring = ellipseOutline(Number(p.lat), Number(p.lon), Number(e.semi_major), Number(e.semi_minor), Number(e.orientation));
		g.append(s("path", {
			class: "map-ellipse", test: "map-ellipse", "data-impact": i + 1, "data-semi-major": e.semi_major,
			"data-semi-minor": e.semi_minor, "data-orientation": e.orientation,
			d: `${ring.map(([lo, la], j) => `${j ? "L" : "M"}${f1(P.x(lo))} ${f1(P.y(la))}`).join("")}Z`,
		}, s("title", `Impact ${i + 1}: error ellipse ${km(e.semi_major)} × ${km(e.semi_minor)}, major axis at ${e.orientation}° from true north`)));
	}
	const pts = [];
	if (w.launch) pts.push([Number(w.launch.lon), Number(w.launch.lat)]);
	for (const p of w.track || []) pts.push([Number(p.lon), Number(p.lat)]);
	if (pts.length > 1) {
		g.append(s("polyline", { class: "map-track", test: "map-track", points: pts.map(([lo, la]) => `${f1(P.x(lo))},${f1(P.y(la))}`).join(" ") },
			s("title", `Track: ${(w.track || []).length} points`)));
	}
	for (const p of w.track || []) {
		g.append(s("circle", { class: "map-track-point", test: "map-track-point", cx: f1(P.x(p.lon)), cy: f1(P.y(p.lat)), r: 2.2 }));
	}
	for (const [i, p] of (w.impacts || []).entries()) {
		const x = P.x(p.lon), y = P.y(p.lat);
		g.append(s("g", { class: "map-impact", test: "map-impact", "data-impact": i + 1, "data-lat": p.lat, "data-lon": p.lon, "data-x": f1(x), "data-y": f1(y) },
			s("line", { x1: f1(x - 6), x2: f1(x + 6), y1: f1(y - 6), y2: f1(y + 6) }),
			s("line", { x1: f1(x - 6), x2: f1(x + 6), y1: f1(y + 6), y2: f1(y - 6) }),
			s("text", { x: f1(x + 8), y: f1(y + 16) }, (w.impacts || []).length > 1 ? `impact ${i + 1}` : "impact"),
			s("title", `Predicted impact ${i + 1}: ${position(p)}`)));
	}
	if (w.launch) {
		const x = P.x(w.launch.lon), y = P.y(w.launch.lat);
		g.append(s("g", { class: "map-launch", test: "map-launch", "data-lat": w.launch.lat, "data-lon": w.launch.lon, "data-x": f1(x), "data-y": f1(y) },
			s("path", { d: `M${f1(x)} ${f1(y - 8)}L${f1(x + 7)} ${f1(y + 5)}L${f1(x - 7)} ${f1(y + 5)}Z` }),
			s("text", { x: f1(x), y: f1(y + 19), "text-anchor": "middle" }, "launch"),
			s("title", `Launch: ${position(w.launch)}`)));
	}
	return g;
}

function mapFigure(w) {
	const P = projection(REGION, K);
	const summary = [`Map of the region, ${REGION.west}°E to ${REGION.east}°E, ${REGION.south}°N to ${REGION.north}°N.`];
	if (w.launch) summary.push(`Launch at ${position(w.launch)}.`);
	if ((w.track || []).length) summary.push(`Track of ${w.track.length} points.`);
	for (const p of w.impacts || []) summary.push(`Predicted impact at ${position(p)}, error ellipse ${km(p.ellipse.semi_major)} by ${km(p.ellipse.semi_minor)}.`);
	return h("figure.map", drawMap(P, w, { test: "warning-map", step: 5, labels: true, scaleKm: 500, title: summary.join(" ") }),
		h("figcaption.small", "Launch ▲, track, predicted impact ✕ with its error ellipse."));
}

// The first impact close up: its ellipse at a scale where it can be read
// against the coast.
function insetFigure(w) {
	const p = w.impacts[0];
	const e = p.ellipse;
	const reachKm = Math.max(150, 3 * Number(e.semi_major) / 1000);
	const dLat = reachKm / 111.2;
	const dLon = dLat / Math.cos(Number(p.lat) * Math.PI / 180);
	const box = { west: Number(p.lon) - dLon, east: Number(p.lon) + dLon, south: Number(p.lat) - dLat, north: Number(p.lat) + dLat };
	const k = 300 / (2 * dLat);
	const P = projection(box, k, Number(p.lat));
	const step = dLat > 4 ? 2 : dLat > 2 ? 1 : 0.5;
	const bar = [10, 20, 50, 100, 200, 500, 1000].find((n) => n >= reachKm / 3) || 1000;
	return h("figure.map.inset", drawMap(P, w, { test: "warning-inset", step, labels: false, scaleKm: bar,
		title: `The predicted impact close up: ${position(p)}, error ellipse ${km(e.semi_major)} by ${km(e.semi_minor)}, major axis at ${e.orientation}° from true north.` }),
	h("figcaption.small", `Impact 1 close up (${Math.round(reachKm)} km around it)`));
}
