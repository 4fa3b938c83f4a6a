// #/actions: release a file to a party, receive a bundle, open an item,
// request and grant consent, report an incident and answer one, give a
// diplomatic note. Each form shows the node's reply; errors verbatim.
"use strict";

import { h, replace, errorBox, missingBox, field, select, badge, langOf, when, isExercise } from "./dom.js";
import { get, post, upload, enc, hasRole, session, ApiError } from "./api.js";
import { openItem, decisionBox } from "./holdings.js";
import { invalidateWork } from "./work.js";

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
			invalidateWork();
		} catch (err) {
			if (err instanceof ApiError && err.missing) replace(out, missingBox(`${err.path.split("?")[0]} (not merged on this node yet)`, err));
			else if (err instanceof ApiError && err.body && err.body.decision) replace(out, decisionBox(err.body, err));
			else replace(out, errorBox(err));
		} finally {
			if (btn) btn.disabled = false;
		}
	});
}

// A success in one plain sentence (the node's reply has more: the ids are
// in the elements a test or a script can read).
function done(test, ...sentence) {
	return h("div.alert.ok", { test, role: "status" }, sentence);
}

function who(codes) {
	const list = Array.isArray(codes) ? codes : codes ? [codes] : [];
	return list.length ? list.join(" and ") : "nobody";
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

// The release form asks the node as its fields change
// (POST /v1/local/decide/release: permit or refuse, with the rule) before
// a byte is sent; offers the labels the agreement never allows greyed,
// with the reason; and asks for a confirmation that names the recipient
// state, the marking it will show, and the agreement. What the release is
// goes in a header, never in the URL.
function releaseSection(ctx) {
	const self = ctx.parties ? ctx.parties.find((p) => p.self) : null;
	const others = ctx.parties ? ctx.parties.filter((p) => !p.self) : [];
	const agreement = agreementChoice(ctx, "release-agreement");
	const to = choice("release-to", others.map((p) => [p.code, `${p.code} — ${p.name}`]), "JPN");
	const cls = choice("release-classification", self ? (self.scheme || []).map((l) =>
		[l.label, `${l.label} — ${l.romanisation || ""}${l.gloss ? ` (${l.gloss})` : ""}`]) : [], "군사II급비밀");
	if (self) cls.setAttribute("lang", langOf(self.code) || "");
	const purpose = h("input", { test: "release-purpose", value: "defence-cooperation", required: true });
	const topic = h("input", { test: "release-topic", placeholder: "dprk-missiles", required: true, "aria-required": "true" });
	const title = h("input", { test: "release-title", placeholder: "a title for the registers" });
	const form = select("release-form-kind", FORMS, "document");
	const file = h("input", { type: "file", test: "release-file", required: true });
	const check = h("div.check-result", { test: "release-check", "aria-live": "polite" }, h("span.muted", "Fill in the fields: the node says whether it would permit the release."));
	const confirmBox = h("div.confirm.hidden", { test: "release-confirm", role: "dialog", "aria-label": "Confirm the release" });
	const out = h("div.out", { test: "release-result" });
	const pg = progressUI("release", "sealing…");
	const submit = h("button.primary", { type: "submit", test: "release-submit" }, "Release…");
	const f = h("form.grid-form", { test: "release-form" },
		field("Agreement", agreement), field("To", to), field("Classification", cls, "in this node's scheme"),
		field("Purpose", purpose), field("Topic", topic, "required"), field("Title", title), field("Form", form),
		field("File", file), check, h("div.submit", submit), confirmBox, pg.box, out);
	const views = new Map(); // agreement id -> its view (annex), or null
	const viewOf = async (id) => {
		if (!views.has(id)) {
			try {
				views.set(id, await get(`/v1/local/agreements/${enc(id)}`));
			} catch {
				views.set(id, null);
			}
		}
		return views.get(id);
	};
	// labels the agreement's annex never lets this party release: greyed
	const greyLabels = async () => {
		if (cls.tagName !== "SELECT" || !self) return;
		const v = await viewOf(agreement.value);
		const never = new Set(((v && v.annex && v.annex.never) || []).filter((n) => n.party === self.code).map((n) => n.label));
		const inAnnex = new Set(((v && v.annex && v.annex.rows) || []).flatMap((r) => {
			const c = r.cells && r.cells[self.code];
			return c ? (c.labels || [c]).map((l) => l.label) : [];
		}));
		for (const o of cls.options) {
			const l = (self.scheme || []).find((x) => x.label === o.value);
			const base = l ? `${l.label} — ${l.romanisation || ""}${l.gloss ? ` (${l.gloss})` : ""}` : o.value;
			const why = never.has(o.value) ? `never released under ${agreement.value}` : v && v.annex && !inAnnex.has(o.value) ? `not in the annex of ${agreement.value}` : "";
			o.disabled = !!why;
			o.textContent = why ? `${base} — ${why}` : base;
			o.title = why;
			o.dataset.reason = why;
		}
		if (cls.selectedOptions[0] && cls.selectedOptions[0].disabled) {
			const ok = [...cls.options].find((o) => !o.disabled);
			if (ok) cls.value = ok.value;
		}
	};
	// the node's decision for what the fields say now
	let asked = 0, last = null;
	const ask = async () => {
		const mine = ++asked;
		last = null;
		confirmBox.classList.add("hidden");
		const body = { agreement: agreement.value.trim(), to: to.value.trim(), classification: cls.value.trim(),
			purpose: purpose.value.trim(), topic: topic.value.trim() };
		const missing = Object.entries(body).filter(([, v]) => !v).map(([k]) => k);
		if (missing.length) {
			replace(check, h("span.muted", { test: "release-check-missing" }, `Fill in the ${missing.join(" and the ")} to ask the node.`));
			return;
		}
		replace(check, h("span.loading", "Asking the node…"));
		try {
			const d = await post("/v1/local/decide/release", body);
			if (mine !== asked) return;
			last = { ...d, body };
			replace(check, decisionLine(d));
		} catch (e) {
			if (mine !== asked) return;
			last = e instanceof ApiError && e.body && e.body.decision ? { ...e.body, body } : null;
			replace(check, last ? decisionLine(last) : errorBox(e, "release-check-error"));
		}
	};
	let timer = null;
	const later = () => {
		clearTimeout(timer);
		timer = setTimeout(ask, 300);
	};
	agreement.addEventListener("change", async () => {
		await greyLabels();
		ask();
	});
	for (const el of [to, cls]) el.addEventListener("change", ask);
	for (const el of [purpose, topic]) el.addEventListener("input", later);
	greyLabels().then(ask);

	f.addEventListener("submit", async (e) => {
		e.preventDefault();
		replace(out);
		const fl = file.files[0];
		if (!fl) {
			replace(out, h("div.alert.error", { test: "release-invalid", role: "alert" }, "Choose the file to release."));
			return;
		}
		if (!topic.value.trim()) {
			replace(out, h("div.alert.error", { test: "release-invalid", role: "alert" }, "The topic is required: the recipient's readers need to know it."));
			topic.focus();
			return;
		}
		if (!last) await ask();
		if (!last || last.decision !== "permit") {
			replace(out, h("div.alert.error", { test: "release-invalid", role: "alert" },
				last ? "The node would refuse this release (above): change what it says before releasing." : "The node could not be asked whether it would permit this release."));
			return;
		}
		const v = await viewOf(agreement.value);
		const party = (ctx.parties || []).find((p) => p.code === to.value);
		const marking = recipientMarking(v, self ? self.code : null, to.value, cls.value);
		const go = h("button.primary.danger", { type: "button", test: "release-confirm-submit" }, `Release to ${to.value}`);
		const back = h("button", { type: "button", test: "release-confirm-cancel" }, "Change something");
		replace(confirmBox,
			h("h3", "Confirm the release"),
			h("dl.kv",
				h("dt", "To the state"), h("dd", { test: "confirm-to" }, party ? `${party.name} (${party.code})` : to.value),
				h("dt", "It will be marked there"), h("dd", { test: "confirm-marking", lang: langOf(to.value) }, marking || "as the agreement's annex says"),
				h("dt", "Marked here"), h("dd", { lang: langOf(self ? self.code : "") }, cls.value),
				h("dt", "Under the agreement"), h("dd", { test: "confirm-agreement" }, `${agreement.value}${v && v.title ? ` — ${v.title}` : ""}${v && v.status ? ` (${String(v.status.state).replace(/_/g, " ")})` : ""}`),
				h("dt", "The file"), h("dd", `${fl.name} (${fl.size} bytes)`),
				isExercise() ? [h("dt", "Exercise"), h("dd", "EXERCISE: an exercise release between exercise nodes")] : null),
			h("div.buttons", go, back));
		confirmBox.classList.remove("hidden");
		go.focus();
		back.addEventListener("click", () => {
			confirmBox.classList.add("hidden");
			submit.focus();
		});
		go.addEventListener("click", async () => {
			go.disabled = back.disabled = submit.disabled = true;
			confirmBox.classList.add("hidden");
			pg.start(fl.size);
			try {
				const r = await upload("/v1/local/release", fl, { onprogress: pg.progress, onsent: pg.sent,
					release: { agreement: agreement.value, to: to.value, classification: cls.value, purpose: purpose.value.trim(),
						topic: topic.value.trim(), title: title.value.trim(), form: form.value, name: fl.name } });
				pg.done(`released: ${r.item}`);
				invalidateWork();
				replace(out, done("release-ok", `Released ${r.name || fl.name} to ${party ? party.name : r.to} as item `,
					h("code", { test: "release-item" }, r.item), `; ${r.to} will mark it `,
					h("span", { test: "release-banner", lang: langOf(r.to) }, r.banner_recipient),
					r.queued ? ", and the courier delivers it." : "; it is not queued: carry the bundle by hand."));
			} catch (err) {
				pg.failed();
				replace(out, err instanceof ApiError && err.body && err.body.decision ? decisionBox(err.body, err) : errorBox(err));
			} finally {
				go.disabled = back.disabled = submit.disabled = false;
			}
		});
	});
	return section("Release a file to a party", "action-release",
		"The node is asked as you fill in the form; nothing is sent until it would permit the release and you confirm it. The file is then sealed for the recipient, marked in its scheme, logged, and queued for delivery.",
		ctx.partiesError ? missingBox("GET /v1/local/parties (the choices of recipient and classification): type them instead.", ctx.partiesError) : null,
		f);
}

// The node's decision, in one line: permitted or refused, why, and the rule.
function decisionLine(d) {
	const permit = d.decision === "permit";
	return h(`div.decision.${permit ? "permit" : "deny"}`, { test: "release-decision", dataset: { decision: d.decision || "" } },
		h("strong", permit ? "The node would permit this release. " : "The node would refuse this release: "),
		permit ? null : h("span", { test: "release-decision-reason" }, d.reason || ""),
		" ", h("code.rule", { test: "release-decision-rule" }, d.rule || ""));
}

// The label(s) the recipient shows: the recipient's cell of the annex row
// that holds the label (what the node marks the bundle with).
function recipientMarking(v, self, to, label) {
	const rows = (v && v.annex && v.annex.rows) || [];
	for (const r of rows) {
		const mine = r.cells && r.cells[self];
		if (!mine) continue;
		const labels = (mine.labels || [mine]).map((l) => l.label);
		if (!labels.includes(label)) continue;
		const theirs = r.cells[to];
		return theirs ? theirs.label : null;
	}
	return null;
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
		return done("consent-ok", `Requested: ${r.to || "the originator"} is asked to consent to passing item ${r.item} to ${r.third_party}; the request is `,
			h("code", { test: "consent-id" }, r.id || "?"), ".");
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
		const r = await post(`/v1/local/consents/${enc(gid.value.trim())}/${verb}`, body);
		invalidateWork();
		const nq = (r.not_queued || []).map((x) => x.to);
		return done("consent-grant-ok", `${r.decision === "refused" ? "Refused" : "Granted"}: the answer `, h("code", { test: "consent-answer-id" }, r.id),
			` is on its way to ${who(r.queued)}${nq.length ? `; ${who(nq)} cannot be reached from this node, so carry it there by hand` : ""}.`);
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
		const by = r.deadlines && r.deadlines.notify_by;
		return done("incident-ok", "Reported: incident ", h("code", { test: "incident-id" }, r.id || "?"),
			" is on its way to the originator", by ? [", due by ", when(by)] : "", r.deadlines && r.deadlines.late ? " (late)" : "", ".",
			h("span.hidden", { test: "incident-reply" }, r.ref || ""));
	});

	// One step at a time, in order (docs/incidents.md): an investigation,
	// as many as there are; then the results with the measures.
	const sid = h("input", { test: "step-id", required: true });
	const stepInv = h("input", { type: "radio", name: "step-kind", value: "investigation", checked: true, test: "step-kind-investigation" });
	const stepRes = h("input", { type: "radio", name: "step-kind", value: "result", test: "step-kind-result" });
	const inv = h("textarea", { test: "step-investigation", rows: 2 });
	const res = h("textarea", { test: "step-result", rows: 2 });
	const meas = h("textarea", { test: "step-measures", rows: 2 });
	const hold = select("step-holding", [["", "(unchanged)"], "active", "suspended", "lost", "compromised"], "");
	const invField = field("Investigation", inv, "what was done and found so far");
	const resFields = [field("Result", res, "required"), field("Measures", meas, "required: against recurrence"), field("Holding", hold, "the item's status after it")];
	const showStep = () => {
		const results = stepRes.checked;
		invField.classList.toggle("hidden", results);
		inv.required = !results;
		for (const el of resFields) el.classList.toggle("hidden", !results);
		res.required = meas.required = results;
	};
	stepInv.addEventListener("change", showStep);
	stepRes.addEventListener("change", showStep);
	const sout = h("div.out", { test: "step-result-out" });
	const sf = h("form.grid-form", { test: "incident-step-form" },
		field("Incident", sid),
		h("fieldset.step-kind", h("legend", "This step is"),
			h("label.check", stepInv, " an investigation (any number, in order)"),
			h("label.check", stepRes, " the results, with the measures taken (the last)")),
		invField, resFields,
		h("div.submit", h("button.primary", { type: "submit", test: "step-submit" }, "Send this step")), sout);
	showStep();
	onSubmit(sf, sout, async () => {
		const body = {};
		if (stepRes.checked) {
			body.result = res.value;
			body.measures = meas.value;
			if (hold.value) body.holding = hold.value;
		} else {
			body.investigation = inv.value;
		}
		const r = await post(`/v1/local/incidents/${enc(sid.value.trim())}/step`, body);
		return done("step-ok", `Sent: ${stepRes.checked ? "the results and measures" : "the investigation"} (step ${r.step ?? "?"}) of incident `,
			h("code", r.id || sid.value.trim()), " is on its way to the originator.");
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
		return done("note-ok", `Given: the ${String(r.kind || kind.value).replace(/-/g, " ")} of ${r.agreement} is signed and on its way to ${who(r.queued)}; the agreement is now `,
			h("span", { test: "note-state-after" }, String(r.state_after || "").replace(/_/g, " ")),
			r.terminates_at ? [" and ends ", when(r.terminates_at)] : "", ".");
	});
	return section("Give a diplomatic note", "action-note",
		"Signed with this node's key, imported here, and queued to every other party that has not left the agreement. It changes the agreement's state (with more than two parties, a notice ends it for this party only).", f);
}

