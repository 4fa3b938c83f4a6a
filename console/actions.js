// #/actions: release a file to a party, receive a bundle, open an item,
// request and grant consent, report an incident and answer one, give a
// diplomatic note. Each form shows the node's reply; errors verbatim.
"use strict";

import { h, replace, errorBox, missingBox, field, select, badge, langOf } from "./dom.js";
import { get, post, upload, enc, q, hasRole, session, ApiError } from "./api.js";
import { openItem, decisionBox } from "./holdings.js";

const FORMS = ["document", "electronic", "magnetic", "visual", "oral", "equipment", "technology"];
const INCIDENT_KINDS = ["possible-loss", "confirmed-loss", "possible-compromise", "confirmed-compromise"];
const NOTE_KINDS = ["termination-notice", "suspension", "withdrawal", "amendment-consent", "domestic-procedures-complete",
	"accession", "accession-acceptance"];

// rest: "consent:ID" or "incident:ID" (an answer to make), "incident-item:ID" (a report)
export async function actionsPage(main, rest) {
	const sections = [];
	const ctx = await context();
	if (hasRole("nsa-officer", "registry")) sections.push(releaseSection(ctx), receiveSection());
	sections.push(openSection());
	if (hasRole("nsa-officer")) sections.push(consentSection(ctx));
	if (hasRole("nsa-officer", "registry")) sections.push(incidentSection());
	if (hasRole("nsa-officer")) sections.push(noteSection(ctx));
	replace(main, h("div.page-head", h("h1", "Actions")),
		h("nav.toc", sections.map((s) => h("a", { href: `#/actions`, onclick: (e) => { e.preventDefault(); s.scrollIntoView(); } }, s.dataset.title))),
		sections);
	const m = /^(consent|incident|incident-item):(.+)$/.exec(rest || "");
	if (m) {
		const [test, sectionTest] = { consent: ["consent-grant-id", "action-consent"], incident: ["step-id", "action-incident"],
			"incident-item": ["incident-item", "action-incident"] }[m[1]];
		const input = main.querySelector(`[data-test="${test}"]`);
		if (input) {
			input.value = m[2];
			main.querySelector(`[data-test="${sectionTest}"]`).scrollIntoView();
			input.focus();
		}
	}
}

// What the forms offer: the agreements, the parties and their schemes.
async function context() {
	const ctx = { agreements: [], parties: null, self: null, partiesError: null };
	try {
		ctx.agreements = (await get("/v1/local/agreements")).agreements || [];
	} catch { /* the forms take typed ids then */ }
	try {
		const p = await get("/v1/local/parties");
		ctx.parties = p.parties || [];
		ctx.self = p.self;
	} catch (e) {
		ctx.partiesError = e;
	}
	return ctx;
}

function section(title, test, intro, ...body) {
	const el = h("section.block.action", { test }, h("h2", title), intro ? h("p.fine", intro) : null, body);
	el.dataset.title = title;
	return el;
}

// A <select> from choices, or a text input when there are none.
function choice(test, options, placeholder) {
	if (options && options.length) return select(test, options);
	return h("input", { test, placeholder: placeholder || "" });
}

function agreementChoice(ctx, test) {
	return choice(test, ctx.agreements.map((a) => [a.id, `${a.id} (${String(a.state || "").replace(/_/g, " ")})`]), "KOR-JPN-2016");
}

// Runs fn on submit; shows its node (or the error) in out.
function onSubmit(form, out, fn) {
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		const btn = form.querySelector("button[type=submit]");
		if (btn) btn.disabled = true;
		try {
			const r = await fn();
			if (r) replace(out, r);
		} catch (err) {
			if (err instanceof ApiError && err.missing) replace(out, missingBox(`${err.path.split("?")[0]} (not merged on this node yet)`, err));
			else if (err instanceof ApiError && err.body && err.body.decision) replace(out, decisionBox(err.body, err));
			else replace(out, errorBox(err));
		} finally {
			if (btn) btn.disabled = false;
		}
	});
}

function reply(obj, test) {
	return h("div.alert.ok", { test },
		h("dl.kv.compact", Object.entries(obj || {}).map(([k, v]) =>
			[h("dt", k), h("dd", { dataset: { key: k } }, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v))])));
}

// The upload's progress: a bar while the bytes go, then an indeterminate
// bar ("sealing…") until the node replies.
function progressUI(test, busy) {
	const bar = h("progress", { test: `${test}-progress`, max: 100, value: 0 });
	const label = h("span.progress-label", { test: `${test}-status` }, "");
	const box = h("div.progress.hidden", bar, label);
	return {
		box,
		start(size) {
			box.classList.remove("hidden");
			bar.max = Math.max(1, size);
			bar.value = 0;
			label.textContent = `sending 0 of ${size} bytes`;
		},
		progress(sent, total) {
			bar.max = Math.max(1, total);
			bar.value = sent;
			label.textContent = `sending ${sent} of ${total} bytes (${Math.floor((100 * sent) / Math.max(1, total))} %)`;
		},
		sent() {
			bar.removeAttribute("value");
			label.textContent = busy;
		},
		done(text) {
			bar.max = 1;
			bar.value = 1;
			label.textContent = text;
		},
		failed() {
			box.classList.add("hidden");
		},
	};
}

// ---- release ----

function releaseSection(ctx) {
	const self = ctx.parties ? ctx.parties.find((p) => p.self) : null;
	const others = ctx.parties ? ctx.parties.filter((p) => !p.self) : [];
	const agreement = agreementChoice(ctx, "release-agreement");
	const to = choice("release-to", others.map((p) => [p.code, `${p.code} — ${p.name}`]), "JPN");
	const cls = choice("release-classification", self ? (self.scheme || []).map((l) =>
		[l.label, `${l.label} — ${l.romanisation || ""}${l.gloss ? ` (${l.gloss})` : ""}`]) : [], "군사II급비밀");
	if (self) cls.setAttribute("lang", langOf(self.code) || "");
	const purpose = h("input", { test: "release-purpose", value: "defence-cooperation" });
	const topic = h("input", { test: "release-topic", placeholder: "dprk-missiles" });
	const title = h("input", { test: "release-title", placeholder: "a title for the registers" });
	const form = select("release-form-kind", FORMS, "document");
	const file = h("input", { type: "file", test: "release-file", required: true });
	const out = h("div.out", { test: "release-result" });
	const pg = progressUI("release", "sealing…");
	const f = h("form.grid-form", { test: "release-form" },
		field("Agreement", agreement), field("To", to), field("Classification", cls, "in this node's scheme"),
		field("Purpose", purpose), field("Topic", topic), field("Title", title), field("Form", form),
		field("File", file), h("div.submit", h("button.primary", { type: "submit", test: "release-submit" }, "Release")), pg.box, out);
	onSubmit(f, out, async () => {
		const fl = file.files[0];
		if (!fl) throw new Error("choose a file to release");
		replace(out);
		pg.start(fl.size);
		try {
			const path = `/v1/local/release${q({ agreement: agreement.value, to: to.value, classification: cls.value,
				purpose: purpose.value, topic: topic.value, title: title.value, form: form.value, name: fl.name })}`;
			const r = await upload(path, fl, { onprogress: pg.progress, onsent: pg.sent });
			pg.done(`released: ${r.item}`);
			return h("div.alert.ok", { test: "release-ok" },
				h("strong", `Released ${fl.name} to ${r.to}.`),
				h("dl.kv.compact",
					h("dt", "Item"), h("dd", h("code", { test: "release-item" }, r.item)),
					h("dt", "Bundle"), h("dd", h("code", r.bundle)),
					h("dt", "Marked there"), h("dd", { test: "release-banner" }, r.banner_recipient),
					h("dt", "Decision"), h("dd", badge(r.decision || "permit", "ok"), " ", h("code", r.rule || ""), " ", r.reason || ""),
					h("dt", "Delivery"), h("dd", r.queued ? "queued in the outbox: the courier delivers it" : "not queued")));
		} catch (e) {
			pg.failed();
			throw e;
		}
	});
	return section("Release a file to a party", "action-release",
		"The file is sealed for the recipient, marked in its scheme, logged, and queued for delivery.",
		ctx.partiesError ? missingBox("GET /v1/local/parties (the choices of recipient and classification): type them instead.", ctx.partiesError) : null,
		f);
}

// ---- receive ----

function receiveSection() {
	const file = h("input", { type: "file", test: "receive-file", required: true });
	const out = h("div.out", { test: "receive-result" });
	const pg = progressUI("receive", "checking and registering…");
	const f = h("form.grid-form", { test: "receive-form" }, field("Bundle", file),
		h("div.submit", h("button.primary", { type: "submit", test: "receive-submit" }, "Receive")), pg.box, out);
	onSubmit(f, out, async () => {
		const fl = file.files[0];
		if (!fl) throw new Error("choose a bundle file");
		replace(out);
		pg.start(fl.size);
		try {
			const r = await upload("/v1/local/receive", fl, { onprogress: pg.progress, onsent: pg.sent });
			pg.done(`received: ${r.item}`);
			return h("div.alert.ok", { test: "receive-ok" }, h("strong", "Received "), h("code", { test: "receive-item" }, r.item),
				". The receipt is queued back to the originator.");
		} catch (e) {
			pg.failed();
			throw e;
		}
	});
	return section("Receive a bundle", "action-receive", "A bundle brought by hand: checked, registered, and receipted.", f);
}

// ---- open ----

function openSection() {
	const id = h("input", { test: "open-item", placeholder: "KOR-…", required: true, size: 30 });
	const out = h("div.out", { test: "open-result" });
	const btn = h("button.primary", { type: "submit", test: "open-submit" }, "Open");
	const f = h("form.inline", { test: "open-form" }, field("Item", id), btn, out);
	f.addEventListener("submit", (e) => {
		e.preventDefault();
		openItem(id.value.trim(), out, btn);
	});
	return section("Open an item", "action-open",
		`Opens as ${session.name || session.person}, at your facility. A refusal shows the rule and its reason; both are logged.`, f);
}

// ---- consents ----

function consentSection(ctx) {
	const parties = ctx.parties ? ctx.parties.filter((p) => !p.self).map((p) => [p.code, p.code]) : [];
	const item = h("input", { test: "consent-item", required: true });
	const to = choice("consent-to", parties.length ? [["", "the originator"], ...parties] : [], "the originator (leave empty)");
	// the third party need not be registered here: typed, with the known ones offered
	const known = h("datalist", { id: "consent-parties" }, (ctx.parties || []).map((p) => h("option", { value: p.code })));
	const third = h("input", { test: "consent-third-party", list: "consent-parties", placeholder: "USA", required: true, size: 8 });
	const purpose = h("input", { test: "consent-purpose", value: "defence-cooperation" });
	const text = h("textarea", { test: "consent-text", rows: 2 });
	const out = h("div.out", { test: "consent-result" });
	const req = h("form.grid-form", { test: "consent-form" },
		field("Item", item), field("Originator (asked)", to), field("Third party", third), field("Purpose", purpose),
		field("Text", text), known, h("div.submit", h("button.primary", { type: "submit", test: "consent-submit" }, "Request consent")), out);
	onSubmit(req, out, async () => {
		const body = { item: item.value.trim(), third_party: third.value.trim(), purpose: purpose.value.trim(), text: text.value };
		if (to.value.trim()) body.to = to.value.trim();
		const r = await post("/v1/local/consents", body);
		return h("div.alert.ok", { test: "consent-ok" }, h("strong", "Requested. "), "Request ",
			h("code", { test: "consent-id" }, r.id || "?"), ` is queued to ${r.to || "the originator"}.`, reply(r));
	});

	const gid = h("input", { test: "consent-grant-id", required: true });
	const gtext = h("textarea", { test: "consent-grant-text", rows: 2 });
	const gexp = h("input", { test: "consent-grant-expires", placeholder: "2020-12-31T00:00:00+09:00" });
	const gout = h("div.out", { test: "consent-grant-result" });
	const grant = h("button.primary", { type: "submit", test: "consent-grant" }, "Grant");
	const refuse = h("button", { type: "button", test: "consent-refuse" }, "Refuse");
	const gform = h("form.grid-form", { test: "consent-grant-form" },
		field("Request", gid), field("Text", gtext), field("Expires", gexp, "a grant needs an expiry"), h("div.submit", grant, " ", refuse), gout);
	const answer = async (verb) => {
		const body = { text: gtext.value };
		if (verb === "grant" && gexp.value.trim()) body.expires = gexp.value.trim();
		return reply(await post(`/v1/local/consents/${enc(gid.value.trim())}/${verb}`, body), "consent-grant-ok");
	};
	onSubmit(gform, gout, () => answer("grant"));
	refuse.addEventListener("click", async () => {
		refuse.disabled = true;
		try {
			replace(gout, await answer("refuse"));
		} catch (e) {
			replace(gout, e instanceof ApiError && e.missing ? missingBox("POST /v1/local/consents/{id}/refuse", e) : errorBox(e));
		} finally {
			refuse.disabled = false;
		}
	});
	return section("Consent to pass on", "action-consent",
		"Ask an originator's consent to pass an item to a third party, or answer a request (the queue lists them).",
		h("h3", "Request"), req, h("h3", "Grant or refuse"), gform);
}

// ---- incidents ----

function incidentSection() {
	const item = h("input", { test: "incident-item", required: true });
	const kind = select("incident-kind", INCIDENT_KINDS, "possible-loss");
	const detected = h("input", { test: "incident-detected", placeholder: "2019-11-01T06:30:00+09:00", required: true });
	const text = h("textarea", { test: "incident-text", rows: 2, required: true });
	const out = h("div.out", { test: "incident-result" });
	const f = h("form.grid-form", { test: "incident-form" },
		field("Item", item), field("Kind", kind), field("Detected", detected, "RFC 3339"), field("What happened", text),
		h("div.submit", h("button.primary", { type: "submit", test: "incident-submit" }, "Report")), out);
	onSubmit(f, out, async () => {
		const r = await post("/v1/local/incidents", { item: item.value.trim(), kind: kind.value, detected: detected.value.trim(), text: text.value });
		return h("div.alert.ok", { test: "incident-ok" },
			h("strong", "Reported. "), "Incident ", h("code", { test: "incident-id" }, r.id || "?"),
			" is queued to the originator.", reply(r, "incident-reply"));
	});

	const sid = h("input", { test: "step-id", required: true });
	const inv = h("input", { test: "step-investigation" });
	const res = h("input", { test: "step-result" });
	const meas = h("input", { test: "step-measures" });
	const hold = select("step-holding", [["", "(unchanged)"], "active", "suspended", "lost", "compromised"], "");
	const sout = h("div.out", { test: "step-result-out" });
	const sf = h("form.grid-form", { test: "incident-step-form" },
		field("Incident", sid), field("Investigation", inv), field("Result", res), field("Measures", meas), field("Holding", hold),
		h("div.submit", h("button.primary", { type: "submit", test: "step-submit" }, "Send the answer")), sout);
	onSubmit(sf, sout, async () => {
		const body = {};
		if (inv.value) body.investigation = inv.value;
		if (res.value) body.result = res.value;
		if (meas.value) body.measures = meas.value;
		if (hold.value) body.holding = hold.value;
		return reply(await post(`/v1/local/incidents/${enc(sid.value.trim())}/step`, body), "step-ok");
	});
	return section("Incidents", "action-incident",
		"Report a loss or compromise to the originator (the deadlines run from detection), then the investigation and its result.",
		h("h3", "Report"), f, h("h3", "Answer: investigation and result"), sf);
}

// ---- diplomatic notes ----

function noteSection(ctx) {
	const agreement = agreementChoice(ctx, "note-agreement");
	const kind = select("note-kind", NOTE_KINDS, "termination-notice");
	const text = h("textarea", { test: "note-text", rows: 3, required: true });
	const to = h("input", { test: "note-to", placeholder: "optional: the party addressed" });
	const withdraws = select("note-withdraws", [["", "(not a withdrawal)"], ["notice", "the notice of termination"],
		["suspension", "the suspension"], ["both", "both"]], "");
	const wfield = field("Withdraws", withdraws, "for a withdrawal: what it takes back");
	const acceding = h("input", { test: "note-acceding", placeholder: "SWE", size: 6 });
	const afield = field("Acceding state", acceding, "for an accession-acceptance: the state whose accession is accepted");
	const showW = () => {
		wfield.classList.toggle("hidden", kind.value !== "withdrawal");
		afield.classList.toggle("hidden", kind.value !== "accession-acceptance");
	};
	kind.addEventListener("change", showW);
	showW();
	const out = h("div.out", { test: "note-result" });
	const confirmBox = h("input", { type: "checkbox", test: "note-confirm", required: true });
	const f = h("form.grid-form", { test: "note-form" },
		field("Agreement", agreement), field("Kind", kind), wfield, afield, field("Text", text), field("To", to),
		h("label.check", confirmBox, " I am authorised to give this note for my government."),
		h("div.submit", h("button.primary.danger", { type: "submit", test: "note-submit" }, "Sign and give the note")), out);
	onSubmit(f, out, async () => {
		const body = { kind: kind.value, text: text.value };
		if (to.value.trim()) body.to = to.value.trim();
		if (kind.value === "withdrawal" && withdraws.value) body.withdraws = withdraws.value;
		if (kind.value === "accession-acceptance") body.acceding = acceding.value.trim();
		const r = await post(`/v1/local/agreements/${enc(agreement.value)}/notes`, body);
		return h("div.alert.ok", { test: "note-ok" }, h("strong", "Given. "), "The state after it: ",
			h("span", { test: "note-state-after" }, String(r.state_after || "").replace(/_/g, " ")), reply(r));
	});
	return section("Give a diplomatic note", "action-note",
		"Signed with this node's key, imported here, and queued to every other party that has not left the agreement. It changes the agreement's state (with more than two parties, a notice ends it for this party only).", f);
}

