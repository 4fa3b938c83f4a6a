// DOM helpers. Every node is made with createElement and every piece of
// data goes in through textContent or a property: never innerHTML.
"use strict";

// h("div.card", {dataset: {test: "x"}, onclick: f}, child, "text", [more])
export function h(tag, props, ...children) {
	const [name, ...classes] = tag.split(".");
	const el = document.createElement(name || "div");
	if (classes.length) el.className = classes.join(" ");
	if (props && (typeof props !== "object" || props instanceof Node || Array.isArray(props))) {
		children.unshift(props);
		props = null;
	}
	for (const [k, v] of Object.entries(props || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k === "test") el.setAttribute("data-test", v);
		else if (k === "dataset") Object.assign(el.dataset, v);
		else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
		else if (k === "class") el.className += (el.className ? " " : "") + v;
		else if (k in el && k !== "list" && k !== "form") el[k] = v;
		else el.setAttribute(k, v === true ? "" : String(v));
	}
	append(el, children);
	return el;
}

function append(el, children) {
	for (const c of children) {
		if (c === undefined || c === null || c === false) continue;
		if (Array.isArray(c)) append(el, c);
		else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
}

const SVG = "http://www.w3.org/2000/svg";
export function s(tag, attrs, ...children) {
	const el = document.createElementNS(SVG, tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null) continue;
		if (k === "test") el.setAttribute("data-test", v);
		else el.setAttribute(k, String(v));
	}
	for (const c of children) {
		if (c === undefined || c === null) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

export function clear(el) {
	while (el.firstChild) el.removeChild(el.firstChild);
	return el;
}

export function replace(el, ...children) {
	clear(el);
	append(el, children);
	return el;
}

// ---- the server's clock ----
// Exercise nodes run on a fixed clock: "now" is always the server's instant
// (its reply's "now" or "at"), moved on by the time elapsed since it was
// read, measured with the browser's monotonic clock. Never Date.now().
let serverNow = null; // ms since the epoch, per the server
let readAt = 0;       // performance.now() when serverNow was read

export function setServerNow(instant) {
	const t = Date.parse(instant);
	if (Number.isNaN(t)) return;
	serverNow = t;
	readAt = performance.now();
}

export function now() {
	return serverNow === null ? null : serverNow + (performance.now() - readAt);
}

// ---- time formatting ----
// Every instant on every page is written in one zone: the one the officer
// chose in the header (kept in this browser), by default the node's own
// (its agreements' zone); the same instant in UTC is on hover.
const display = { zone: 0, label: "UTC" };

export function setDisplayZone(zoneMin, label) {
	display.zone = zoneMin;
	display.label = label || fmtZone(zoneMin);
}

export function displayZone() {
	return display.zone;
}

export function fmtZone(z) {
	if (!z) return "UTC";
	const a = Math.abs(z);
	return `${z < 0 ? "-" : "+"}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

function pad(n, w = 2) {
	return String(n).padStart(w, "0");
}

// An instant (ms) written in a zone given in minutes east of UTC (by
// default the display zone).
export function fmtInstant(ms, zoneMin = display.zone) {
	if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
	const d = new Date(ms + zoneMin * 60000);
	const z = zoneMin === 0 ? "Z" : (zoneMin > 0 ? "+" : "-") + pad(Math.floor(Math.abs(zoneMin) / 60)) +
		":" + pad(Math.abs(zoneMin) % 60);
	return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
		`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${z}`;
}

export function fmt(instant, zoneMin = display.zone) {
	if (!instant) return "—";
	const t = Date.parse(instant);
	return Number.isNaN(t) ? String(instant) : fmtInstant(t, zoneMin);
}

// An instant as a <time> element: in the display zone, UTC on hover.
export function when(instant, test) {
	const t = typeof instant === "number" ? instant : Date.parse(instant || "");
	if (!instant && instant !== 0 || Number.isNaN(t)) return h("span.muted", { test }, "—");
	return h("time.when", { test, dateTime: new Date(t).toISOString(), title: fmtInstant(t, 0) }, fmtInstant(t));
}

// ---- the exercise marking ----
// An exercise node's every page, banner, printout and saved file says
// EXERCISE (docs/console.md, "Markings").
const marking = { exercise: false, party: null };

export function setExercise(on) {
	marking.exercise = !!on;
}

// The node's own party: the scheme a recipient's banner is written in.
export function setNodeParty(code) {
	marking.party = code || null;
}

export function nodeParty() {
	return marking.party;
}

export function isExercise() {
	return marking.exercise;
}

// A name for a file the console saves: EXERCISE first on an exercise node,
// and no character a file system refuses.
export function saveName(name) {
	const clean = String(name || "download").replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_");
	return marking.exercise && !/^EXERCISE\b/.test(clean) ? `EXERCISE ${clean}` : clean;
}

// "+09:00" or 540 -> 540
export function zoneMinutes(z) {
	if (typeof z === "number") return z;
	const m = /^([+-])(\d\d):?(\d\d)$/.exec(String(z || ""));
	if (!m) return 0;
	return (m[1] === "-" ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10));
}

// 1234567 s -> "14 d 06 h 56 min 07 s"
export function fmtDuration(ms) {
	const neg = ms < 0;
	let t = Math.floor(Math.abs(ms) / 1000);
	const d = Math.floor(t / 86400);
	t -= d * 86400;
	const hh = Math.floor(t / 3600);
	t -= hh * 3600;
	const mm = Math.floor(t / 60);
	const ss = t - mm * 60;
	const body = `${d} d ${pad(hh)} h ${pad(mm)} min ${pad(ss)} s`;
	return neg ? `${body} ago` : body;
}

// Every live countdown on the page, redrawn each second from the server's clock.
const ticking = new Set();
export function countdown(target, test) {
	const el = h("span.countdown", { test });
	el.dataset.target = String(target);
	const draw = () => {
		const n = now();
		if (n === null) {
			el.textContent = "—";
			return;
		}
		const left = target - n;
		el.textContent = left >= 0 ? fmtDuration(left) : `passed ${fmtDuration(-left).replace(/ ago$/, "")} ago`;
		el.classList.toggle("passed", left < 0);
		el.classList.toggle("soon", left >= 0 && left < 30 * 86400000);
	};
	el._draw = draw;
	draw();
	ticking.add(el);
	return el;
}

export function serverClock(zoneMin, test = "server-now") {
	const el = h("span.clock", { test });
	el._draw = () => {
		const n = now();
		el.textContent = n === null ? "—" : fmtInstant(Math.floor(n / 1000) * 1000, zoneMin);
	};
	el._draw();
	ticking.add(el);
	return el;
}

setInterval(() => {
	for (const el of ticking) {
		if (!el.isConnected) ticking.delete(el);
		else el._draw();
	}
}, 1000);

// ---- pieces of pages ----

// The API's error, verbatim.
export function errorBox(err, test = "api-error") {
	const status = err && err.status ? `${err.status} ` : "";
	const msg = err && err.message ? err.message : String(err);
	return h("div.alert.error", { test, role: "alert" }, h("strong", `${status}`), msg);
}

// An endpoint the node does not serve yet: say so, name it, go on.
export function missingBox(what, err) {
	return h("div.alert.missing", { test: "endpoint-missing" },
		h("strong", "Not available on this node: "), what,
		h("div.small", `The server answered ${err.status}: ${err.message}`));
}

export function infoBox(text, test) {
	return h("div.alert.info", { test }, text);
}

// A table from rows of objects and columns [{label, get(row) -> node|string, test}]
export function table(columns, rows, test, empty = "Nothing here.") {
	if (!rows || rows.length === 0) return h("p.empty", { test }, empty);
	// wide tables scroll inside their box instead of spilling out of it
	return h("div.table-scroll", h("table.grid", { test },
		h("thead", h("tr", columns.map((c) => h("th", c.label)))),
		h("tbody", rows.map((r) => h("tr", { test: test ? `${test}-row` : undefined },
			columns.map((c) => {
				const v = c.get(r);
				return h("td", { test: c.test, class: c.cls }, v === undefined || v === null || v === "" ? "—" : v);
			}))))));
}

export function field(label, control, hint) {
	return h("label.field", h("span.label", label), control, hint ? h("span.hint", hint) : null);
}

export function select(test, options, value) {
	const sel = h("select", { test });
	for (const o of options) {
		const [v, text] = Array.isArray(o) ? o : [o, o];
		const opt = h("option", { value: v }, text);
		if (v === value) opt.selected = true;
		sel.append(opt);
	}
	return sel;
}

export function badge(text, kind, test) {
	return h(`span.badge.${kind || "plain"}`, { test }, text);
}

// A classified document's banner: the marking in the holder's scheme and
// in the originator's, at the top and the bottom of an item.
export function banner(banners, item, where) {
	const holder = banners && banners.holder ? banners.holder :
		{ scheme: item.holder, text: (item.marking || []).join(" / ") };
	const orig = banners && banners.originator ? banners.originator :
		{ scheme: item.originator, text: item.label };
	return h("div.banner", { test: `banner-${where}`, role: "note", "aria-label": `Classification banner${marking.exercise ? ", exercise" : ""}` },
		marking.exercise ? h("span.banner-exercise", { test: "banner-exercise" }, "EXERCISE") : null,
		h("span.banner-holder", { test: "banner-holder", lang: langOf(holder.scheme) },
			holder.text || "—", h("span.scheme", holder.scheme)),
		h("span.banner-sep", "·"),
		h("span.banner-originator", { test: "banner-originator", lang: langOf(orig.scheme) },
			orig.text || "—", h("span.scheme", orig.scheme)),
		marking.exercise ? h("span.banner-exercise", "EXERCISE") : null);
}

export function langOf(code) {
	return { KOR: "ko", JPN: "ja", USA: "en" }[code] || undefined;
}

export function stateBadge(state) {
	const kind = { in_force: "ok", notice_pending: "bad", notice_suspended: "warn", terminated: "bad",
		draft: "muted", signed: "muted" }[state] || "plain";
	return badge(String(state || "unknown").replace(/_/g, " "), kind, "agreement-state");
}
