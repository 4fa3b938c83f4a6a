// The gsomia console: sign-in, the shell and the hash routes.
// #/work  #/agreements  #/holdings  #/actions  #/queues  #/ledger  #/audit
"use strict";

import { h, replace, errorBox, now, setServerNow, setDisplayZone, displayZone, fmtZone, setExercise, isExercise, setNodeParty } from "./dom.js";
import { session, call, get, hooks, ApiError } from "./api.js";
import { workPage, workCounts } from "./work.js";
import { agreementsPage } from "./agreements.js";
import { holdingsPage } from "./holdings.js";
import { actionsPage } from "./actions.js";
import { queuesPage } from "./queues.js";
import { ledgerPage } from "./ledger.js";
import { auditPage } from "./audit.js";
import { reportPage } from "./report.js";
import { warningsPage } from "./warnings.js";

// Which roles see which page. The node decides what each call may do;
// this only spares people the pages that would all be refusals.
const PAGES = [
	{ id: "work", title: "Work waiting", short: "Work", roles: ["nsa-officer", "registry", "auditor"], render: workPage },
	{ id: "agreements", title: "Agreements", roles: ["nsa-officer", "registry", "reader", "auditor", "translator"], render: agreementsPage },
	{ id: "holdings", title: "Holdings", roles: ["registry", "auditor", "reader"], render: holdingsPage },
	{ id: "actions", title: "Actions", roles: ["nsa-officer", "registry", "reader", "auditor", "translator"], render: actionsPage },
	{ id: "queues", title: "Queues", roles: ["nsa-officer", "registry", "auditor"], render: queuesPage },
	{ id: "ledger", title: "Ledger", roles: ["nsa-officer", "auditor"], render: ledgerPage },
	{ id: "audit", title: "Audit", roles: ["nsa-officer", "auditor"], render: auditPage },
	{ id: "report", title: "Report", roles: ["nsa-officer", "auditor"], render: reportPage },
	// every role: the node sends each person only the warnings they may open
	{ id: "warnings", title: "Missile warnings", short: "Warnings", roles: ["nsa-officer", "registry", "reader", "auditor", "translator"], render: warningsPage },
];

const app = document.getElementById("app");
let health = null;
let zones = null; // [[minutes, label]] the header offers
let counts = {};  // page id -> number of things waiting there
let leave = null; // what the page on screen does when it goes (a live stream closes)

function leavePage() {
	if (leave) {
		try {
			leave();
		} catch { /* the page is going anyway */ }
	}
	leave = null;
}

function visiblePages() {
	return PAGES.filter((p) => p.roles.some((r) => session.roles.includes(r)));
}

function currentRoute() {
	const m = /^#\/([a-z]+)(?:\/(.*))?$/.exec(location.hash);
	return { page: m ? m[1] : "", rest: m && m[2] ? decodeURIComponent(m[2]) : "" };
}

// The EXERCISE strip: on every page of an exercise node, on screen and on paper.
function exerciseStrip(where) {
	if (!isExercise()) return null;
	return h(`div.exercise-strip.${where}`, { test: where === "top" ? "exercise-banner" : "exercise-banner-bottom", role: "note" },
		h("strong", "EXERCISE"), " — ", `${health ? health.party : "this"} node runs an exercise: nothing here is real information.`, " — ", h("strong", "EXERCISE"));
}

function zoneChoice() {
	const sel = h("select.zone", { test: "zone-select", "aria-label": "Show times in", title: "Times on every page are shown in this zone; UTC on hover" });
	for (const [m, label] of zones || [[displayZone(), fmtZone(displayZone())]]) {
		const o = h("option", { value: String(m) }, label);
		if (m === displayZone()) o.selected = true;
		sel.append(o);
	}
	sel.addEventListener("change", () => {
		const m = Number(sel.value);
		const z = (zones || []).find((x) => x[0] === m);
		setDisplayZone(m, z ? z[1] : undefined);
		try {
			localStorage.setItem("gsomia.zone", String(m));
		} catch { /* private mode: for this page only */ }
		render();
	});
	return h("label.zone-label", h("span.label-text", "Times"), sel);
}

function skipLink() {
	const a = h("a.skip", { href: "#/", test: "skip-link" }, "Skip to the page's content");
	a.addEventListener("click", (e) => {
		e.preventDefault();
		const main = document.getElementById("main");
		if (main) main.focus();
	});
	return a;
}

function header() {
	const pages = visiblePages();
	const route = currentRoute();
	return h("header.top",
		h("div.brand",
			h("span.mark", "GSOMIA"),
			h("span.node", { test: "node-party" }, health ? `${health.party} node` : "node"),
			isExercise() ? h("span.exercise-tag", { test: "exercise-tag" }, "EXERCISE") : null),
		h("nav.tabs", { test: "nav", "aria-label": "Pages" }, pages.map((p) => {
			const n = counts[p.id];
			return h("a", { href: `#/${p.id}`, test: `nav-${p.id}`, class: route.page === p.id ? "active" : "",
				"aria-current": route.page === p.id ? "page" : null, title: p.title },
			p.short || p.title,
			n ? h("span.count", { test: `count-${p.id}`, "aria-label": `${n} waiting` }, String(n)) : null);
		})),
		h("div.who",
			zoneChoice(),
			h("span.person", { test: "whoami", title: `${session.person}: ${session.roles.join(", ")}` }, h("strong", session.name || session.person), h("span.person-id", ` (${session.person})`)),
			h("span.roles", { test: "whoami-roles" }, session.roles.length ? session.roles.join(", ") : "no role"),
			h("button.link", { test: "signout", onclick: signOut }, "Sign out")));
}

async function render() {
	leavePage();
	if (!session.person) return signInPage();
	const pages = visiblePages();
	const route = currentRoute();
	let page = pages.find((p) => p.id === route.page);
	if (!page) {
		if (pages.length === 0) {
			replace(app, exerciseStrip("top"), header(), h("main.page", { id: "main",  test: "page-none", tabIndex: -1 },
				h("p", "Your record on this node holds no role that may use the console.")));
			return;
		}
		page = pages[0];
		if (route.page && PAGES.find((p) => p.id === route.page)) {
			// a page of a role this person lacks: say so rather than show refusals
			replace(app, exerciseStrip("top"), header(), h("main.page", { id: "main",  test: "page-forbidden", tabIndex: -1 },
				h("div.alert.error", { test: "api-error" },
					`Your roles (${session.roles.join(", ") || "none"}) do not include the ${route.page} page.`)));
			return;
		}
		location.replace(`#/${page.id}`);
		return;
	}
	await ensureClock();
	const main = h("main.page", { id: "main",  test: `page-${page.id}`, tabIndex: -1 }, h("p.loading", "Loading…"));
	replace(app, skipLink(), exerciseStrip("top"), header(), main, footer(), exerciseStrip("bottom"));
	document.title = `${isExercise() ? "EXERCISE · " : ""}${page.title} · gsomia console`;
	try {
		const gone = await page.render(main, route.rest);
		if (typeof gone === "function") {
			// the officer may have moved on while the page was loading
			if (main.isConnected) leave = gone;
			else gone();
		}
	} catch (e) {
		replace(main, errorBox(e instanceof ApiError ? e : { message: String(e && e.stack || e) }));
	}
	// the page's own calls first, then what the tabs count
	refreshCounts();
}

// The counts on the tabs: what waits, from the node's answers (work.js).
async function refreshCounts() {
	try {
		const c = await workCounts();
		if (JSON.stringify(c) === JSON.stringify(counts)) return;
		counts = c;
		const old = app.querySelector("header.top");
		if (old) old.replaceWith(header());
	} catch { /* the tabs go without counts */ }
}

// The node's clock, which countdowns run from, and the zones times are
// shown in: every page may need them.
async function ensureClock() {
	if (now() !== null && zones) return;
	try {
		const r = await get("/v1/local/agreements");
		if (r.at) setServerNow(r.at);
	} catch { /* the countdowns show "—" */ }
	if (zones) return;
	zones = [[0, "UTC"]];
	let own = 0;
	try {
		const p = await get("/v1/local/parties");
		const zoneOf = (z) => {
			const m = /^([+-])(\d\d):(\d\d)$/.exec(z || "");
			return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : null;
		};
		for (const party of p.parties || []) {
			const m = zoneOf(party.zone);
			if (m === null) continue;
			if (party.self) own = m;
			const seen = zones.find((z) => z[0] === m);
			if (seen && seen[0] !== 0) seen[1] += `, ${party.code}`;
			else if (!seen) zones.push([m, `${fmtZone(m)} ${party.code}`]);
		}
	} catch { /* UTC only */ }
	let chosen = own;
	try {
		const kept = localStorage.getItem("gsomia.zone");
		if (kept !== null && zones.some((z) => z[0] === Number(kept))) chosen = Number(kept);
	} catch { /* none kept */ }
	const z = zones.find((x) => x[0] === chosen);
	setDisplayZone(chosen, z ? z[1] : undefined);
}

function footer() {
	return h("footer.bottom", h("span", "Handle every marking as its banner says. Every opening and release is logged in the node's ledger."),
		h("span.fine", ` Times in ${fmtZone(displayZone())}; UTC on hover.`));
}

function signInPage(message) {
	leavePage();
	document.title = `${isExercise() ? "EXERCISE · " : ""}Sign in · gsomia console`;
	const person = h("input", { test: "signin-person", name: "person", autocomplete: "username", required: true, autofocus: true });
	const password = h("input", { test: "signin-password", name: "password", type: "password", autocomplete: "current-password", required: true });
	const out = h("div.out", { test: "signin-out" });
	if (message) out.append(h("div.alert.info", { test: "signin-message" }, message));
	const button = h("button.primary", { type: "submit", test: "signin-submit" }, "Sign in");
	const form = h("form.signin", { test: "signin-form" },
		h("h1", "Sign in"),
		h("p.node-name", health ? `${health.party} node${health.exercise ? " (EXERCISE)" : ""}` : ""),
		h("label.field", h("span.label", "Person"), person),
		h("label.field", h("span.label", "Password"), password),
		button, out);
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		button.disabled = true;
		replace(out);
		try {
			const r = await call("POST", "/v1/session/cookie", { person: person.value, password: password.value });
			password.value = "";
			adopt(r);
			if (!location.hash || location.hash === "#/" || location.hash === "#/signin") location.hash = `#/${(visiblePages()[0] || PAGES[1]).id}`;
			else render();
		} catch (err) {
			replace(out, h("div.alert.error", { test: "signin-error", role: "alert" }, err.message));
		} finally {
			button.disabled = false;
		}
	});
	replace(app, exerciseStrip("top"), h("main.signin-page", { id: "main",  tabIndex: -1 }, form,
		h("p.fine", "The session is kept in a cookie this page cannot read; it ends after eight hours or at sign-out.")));
	person.focus();
}

function adopt(r) {
	session.person = r.person;
	session.name = r.name;
	session.roles = r.roles || [];
	if (r.csrf) session.csrf = r.csrf;
	counts = {};
}

async function signOut() {
	try {
		await call("DELETE", "/v1/session");
	} catch (e) {
		if (!(e instanceof ApiError && e.status === 401)) {
			app.prepend(errorBox(e));
			return;
		}
	}
	session.person = session.name = session.csrf = null;
	session.roles = [];
	signInPage("Signed out.");
}

hooks.unauthorized = (err) => {
	if (!session.person) return;
	session.person = session.name = session.csrf = null;
	session.roles = [];
	signInPage(err.message);
};

async function start() {
	try {
		health = await get("/v1/health");
		setExercise(health.exercise);
		setNodeParty(health.party);
		document.documentElement.classList.toggle("exercise", !!health.exercise);
	} catch { /* the name of the node is a nicety */ }
	try {
		adopt(await get("/v1/session"));
	} catch (e) {
		if (!(e instanceof ApiError && e.status === 401)) {
			replace(app, errorBox(e));
			return;
		}
	}
	render();
}

window.addEventListener("hashchange", () => render());
start();
