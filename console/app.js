// The gsomia console: sign-in, the shell and the hash routes.
// #/agreements  #/holdings  #/actions  #/queues  #/ledger
"use strict";

import { h, replace, errorBox, now, setServerNow } from "./dom.js";
import { session, call, get, hooks, ApiError } from "./api.js";
import { agreementsPage } from "./agreements.js";
import { holdingsPage } from "./holdings.js";
import { actionsPage } from "./actions.js";
import { queuesPage } from "./queues.js";
import { ledgerPage } from "./ledger.js";
import { reportPage } from "./report.js";

// Which roles see which page. The node decides what each call may do;
// this only spares people the pages that would all be refusals.
const PAGES = [
	{ id: "agreements", title: "Agreements", roles: ["nsa-officer", "registry", "reader", "auditor", "translator"], render: agreementsPage },
	{ id: "holdings", title: "Holdings", roles: ["registry", "auditor", "reader"], render: holdingsPage },
	{ id: "actions", title: "Actions", roles: ["nsa-officer", "registry", "reader", "auditor", "translator"], render: actionsPage },
	{ id: "queues", title: "Queues", roles: ["nsa-officer", "registry", "auditor"], render: queuesPage },
	{ id: "ledger", title: "Ledger", roles: ["nsa-officer", "auditor"], render: ledgerPage },
	{ id: "report", title: "Report", roles: ["nsa-officer", "auditor"], render: reportPage },
];

const app = document.getElementById("app");
let health = null;

function visiblePages() {
	return PAGES.filter((p) => p.roles.some((r) => session.roles.includes(r)));
}

function currentRoute() {
	const m = /^#\/([a-z]+)(?:\/(.*))?$/.exec(location.hash);
	return { page: m ? m[1] : "", rest: m && m[2] ? decodeURIComponent(m[2]) : "" };
}

function header() {
	const pages = visiblePages();
	const route = currentRoute();
	return h("header.top",
		h("div.brand",
			h("span.mark", "GSOMIA"),
			h("span.node", { test: "node-party" }, health ? `${health.party} node${health.exercise ? " · exercise" : ""}` : "node")),
		h("nav.tabs", { test: "nav" }, pages.map((p) =>
			h("a", { href: `#/${p.id}`, test: `nav-${p.id}`, class: route.page === p.id ? "active" : "" }, p.title))),
		h("div.who",
			h("span", { test: "whoami" }, h("strong", session.name || session.person), ` (${session.person})`),
			h("span.roles", { test: "whoami-roles" }, session.roles.length ? session.roles.join(", ") : "no role"),
			h("button.link", { test: "signout", onclick: signOut }, "Sign out")));
}

async function render() {
	if (!session.person) return signInPage();
	const pages = visiblePages();
	let route = currentRoute();
	let page = pages.find((p) => p.id === route.page);
	if (!page) {
		if (pages.length === 0) {
			replace(app, header(), h("main.page", { test: "page-none" },
				h("p", "Your record on this node holds no role that may use the console.")));
			return;
		}
		page = pages[0];
		if (route.page && PAGES.find((p) => p.id === route.page)) {
			// a page of a role this person lacks: say so rather than show refusals
			replace(app, header(), h("main.page", { test: "page-forbidden" },
				h("div.alert.error", { test: "api-error" },
					`Your roles (${session.roles.join(", ") || "none"}) do not include the ${route.page} page.`)));
			return;
		}
		location.replace(`#/${page.id}`);
		return;
	}
	await ensureClock();
	const main = h("main.page", { test: `page-${page.id}` }, h("p.loading", "Loading…"));
	replace(app, header(), main, footer());
	document.title = `${page.title} · gsomia console`;
	try {
		await page.render(main, route.rest);
	} catch (e) {
		replace(main, errorBox(e instanceof ApiError ? e : { message: String(e && e.stack || e) }));
	}
}

// The node's clock, which countdowns run from: every page may need it, and
// the list of agreements (any role may read it) carries it.
async function ensureClock() {
	if (now() !== null) return;
	try {
		const r = await get("/v1/local/agreements");
		if (r.at) setServerNow(r.at);
	} catch { /* the countdowns show "—" */ }
}

function footer() {
	return h("footer.bottom", h("span", "Handle every marking as its banner says. Every opening and release is logged in the node's ledger."));
}

function signInPage(message) {
	document.title = "Sign in · gsomia console";
	const person = h("input", { test: "signin-person", name: "person", autocomplete: "username", required: true, autofocus: true });
	const password = h("input", { test: "signin-password", name: "password", type: "password", autocomplete: "current-password", required: true });
	const out = h("div.out", { test: "signin-out" });
	if (message) out.append(h("div.alert.info", { test: "signin-message" }, message));
	const button = h("button.primary", { type: "submit", test: "signin-submit" }, "Sign in");
	const form = h("form.signin", { test: "signin-form" },
		h("h1", "Sign in"),
		h("p.node-name", health ? `${health.party} node${health.exercise ? " (exercise)" : ""}` : ""),
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
			if (!location.hash || location.hash === "#/" || location.hash === "#/signin") location.hash = "#/agreements";
			else render();
		} catch (err) {
			replace(out, h("div.alert.error", { test: "signin-error", role: "alert" }, err.message));
		} finally {
			button.disabled = false;
		}
	});
	replace(app, h("main.signin-page", form,
		h("p.fine", "The session is kept in a cookie this page cannot read; it ends after eight hours or at sign-out.")));
	person.focus();
}

function adopt(r) {
	session.person = r.person;
	session.name = r.name;
	session.roles = r.roles || [];
	if (r.csrf) session.csrf = r.csrf;
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
