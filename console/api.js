// Calls to the node's local API, by the session cookie (HttpOnly: the page
// never sees the token) and the CSRF token on every call that is not a GET.
"use strict";

export const session = { csrf: null, person: null, name: null, roles: [] };

export class ApiError extends Error {
	constructor(status, body, path) {
		super(body && typeof body.error === "string" ? body.error : `HTTP ${status}`);
		this.status = status;
		this.body = body || {};
		this.path = path;
	}
	// The route is not on this node (yet): 404 "no such endpoint".
	get missing() {
		return this.status === 404 && /^no such endpoint/.test(this.message);
	}
}

// Set by the app: called when a call finds the session gone (401).
export const hooks = { unauthorized: null };

function headers(method, json) {
	const hd = { Accept: "application/json" };
	if (json) hd["Content-Type"] = "application/json";
	// every call carries it: a GET that writes (a proof may sign a checkpoint) needs it too
	if (session.csrf) hd["X-CSRF-Token"] = session.csrf;
	return hd;
}

export async function call(method, path, body) {
	const init = { method, headers: headers(method, body !== undefined), credentials: "same-origin", cache: "no-store" };
	if (body !== undefined) init.body = JSON.stringify(body);
	let res;
	try {
		res = await fetch(path, init);
	} catch (e) {
		throw new ApiError(0, { error: `the node did not answer (${e.message})` }, path);
	}
	let data = null;
	const text = await res.text();
	try {
		data = text ? JSON.parse(text) : null;
	} catch {
		data = { error: text.slice(0, 500) };
	}
	if (!res.ok) {
		const err = new ApiError(res.status, data, path);
		if (res.status === 401 && hooks.unauthorized && path !== "/v1/session/cookie") hooks.unauthorized(err);
		throw err;
	}
	return data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body === undefined ? {} : body);

export function q(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, v);
	const s = u.toString();
	return s ? `?${s}` : "";
}

export const enc = encodeURIComponent;

// A POST whose reply may be a file: {file: Blob, name, type} or the JSON.
export async function postForFile(path, body) {
	const res = await fetch(path, {
		method: "POST", headers: headers("POST", body !== undefined), credentials: "same-origin",
		cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
	});
	const type = res.headers.get("Content-Type") || "";
	if (type.startsWith("application/json")) {
		const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
		if (!res.ok) {
			if (res.status === 401 && hooks.unauthorized) hooks.unauthorized(new ApiError(401, data, path));
			throw new ApiError(res.status, data, path);
		}
		return { json: data };
	}
	if (!res.ok) throw new ApiError(res.status, { error: (await res.text()).slice(0, 500) }, path);
	const blob = await res.blob();
	return { file: blob, name: fileName(res.headers.get("Content-Disposition")), type };
}

export async function getFile(path) {
	const res = await fetch(path, { headers: headers("GET", false), credentials: "same-origin", cache: "no-store" });
	if (!res.ok) {
		const data = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
		throw new ApiError(res.status, data, path);
	}
	return { file: await res.blob(), name: fileName(res.headers.get("Content-Disposition")) };
}

function fileName(disposition) {
	if (!disposition) return null;
	let m = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
	if (m) {
		try {
			return decodeURIComponent(m[1]);
		} catch { /* fall through */ }
	}
	m = /filename="?([^";]+)"?/i.exec(disposition);
	return m ? m[1] : null;
}

// Sends a file as the body of a POST with XMLHttpRequest, so that the
// upload's progress can be shown: onprogress(sent, total) while it goes,
// onsent() once every byte is sent (the node then seals or checks it).
// release: what a release is, sent in the X-Gsomia-Release header
// (percent-encoded JSON), never in the URL that proxies and logs keep.
// Resolves to the reply's JSON; rejects with an ApiError.
export function upload(path, file, { onprogress, onsent, release } = {}) {
	return new Promise((resolve, reject) => {
		const x = new XMLHttpRequest();
		x.open("POST", path);
		x.withCredentials = true;
		x.setRequestHeader("Content-Type", "application/octet-stream");
		x.setRequestHeader("Accept", "application/json");
		if (session.csrf) x.setRequestHeader("X-CSRF-Token", session.csrf);
		if (release) x.setRequestHeader("X-Gsomia-Release", encodeURIComponent(JSON.stringify(release)));
		x.upload.onprogress = (e) => onprogress && onprogress(e.loaded, e.lengthComputable ? e.total : file.size);
		x.upload.onload = () => onsent && onsent();
		x.onerror = () => reject(new ApiError(0, { error: "the upload failed: the connection was closed" }, path));
		x.onload = () => {
			let data;
			try {
				data = x.responseText ? JSON.parse(x.responseText) : null;
			} catch {
				data = { error: x.responseText.slice(0, 500) };
			}
			if (x.status >= 200 && x.status < 300) resolve(data);
			else {
				const err = new ApiError(x.status, data, path);
				if (x.status === 401 && hooks.unauthorized) hooks.unauthorized(err);
				reject(err);
			}
		};
		x.send(file);
	});
}

export function hasRole(...roles) {
	return roles.some((r) => session.roles.includes(r));
}
