#!/usr/bin/env python3
# Cuts the console's map of the warning region (docs/warnings.md, "The
# console's live view") out of Natural Earth's 1:50m coastline and
# countries, public domain, as Debian packages them for R
# (r-cran-rnaturalearthdata, CC0): clipped to the region, simplified, and
# written as GeoJSON. Run by hand when the region or the scale changes; its
# output, console/data/east-asia-50m.geojson, is kept in the repository and
# turned into a console asset at build time by scripts/map-asset.py.
#
#   scripts/coastline.py [--package DIR] [-o OUT]
#
# Without --package it downloads the Debian package (apt-get download, no
# dependency installed: R is not needed) and unpacks it in a temporary
# directory. The package keeps its data as R's lazy-load database
# (data/Rdata.rdx, Rdata.rdb): each object serialized in R's XDR format and
# compressed; the reader below knows just enough of that format for these
# objects (sp's SpatialLinesDataFrame and SpatialPolygonsDataFrame).
import argparse
import glob
import gzip
import hashlib
import json
import lzma
import os
import struct
import subprocess
import sys
import tempfile
import zlib
import bz2

PACKAGE = "r-cran-rnaturalearthdata"
# The map shows 118E-150E, 24N-48N; the data reach a degree beyond, so
# that nothing ends visibly at the frame.
WEST, EAST, SOUTH, NORTH = 117.0, 151.0, 23.0, 49.0
TOLERANCE = 0.02     # degrees: Douglas-Peucker; about 2 km, under a pixel at the map's scale
QUANTUM = 0.01       # degrees: coordinates are kept to this step (about 1 km)
MIN_EXTENT = 0.12    # degrees: smaller islands are left out
COUNTRIES = {        # the land the map fills, by Natural Earth's adm0_a3
	"KOR": "Republic of Korea", "PRK": "DPRK", "JPN": "Japan", "CHN": "China",
	"RUS": "Russia", "TWN": "Taiwan", "MNG": "Mongolia",
}


def fail(msg):
	sys.exit(f"coastline: {msg}")


# ---- R's serialization (XDR, versions 2 and 3) ----

class RReader:
	def __init__(self, data):
		if data[:2] != b"X\n":
			fail("not an XDR serialization")
		self.b, self.p, self.refs = data, 2, []
		version = self.int()
		self.int()  # writer's R version
		self.int()  # minimal reader version
		if version == 3:
			n = self.int()  # the native encoding's name
			self.p += n
		elif version != 2:
			fail(f"serialization version {version}")

	def int(self):
		v = struct.unpack_from(">i", self.b, self.p)[0]
		self.p += 4
		return v

	def obj(self):
		flags = self.int()
		t = flags & 0xFF
		has_attr, has_tag = flags & (1 << 9), flags & (1 << 10)
		if t == 254:                          # NILVALUE
			return None
		if t in (253, 252, 251, 250, 242, 241):  # the global, base, empty environments...
			return ("special", t)
		if t == 255:                          # a reference to an earlier symbol or environment
			i = flags >> 8
			return self.refs[(i or self.int()) - 1]
		if t in (1, 247, 249, 248):           # symbol, persistent name, namespace, package
			r = ("sym", self.obj())
			self.refs.append(r)
			return r
		if t == 4:                            # environment
			self.int()
			env = {}
			self.refs.append(env)
			for k in ("enclos", "frame", "hashtab", "attr"):
				env[k] = self.obj()
			return env
		if t in (2, 3, 5, 6, 17, 239, 240):   # pairlists and their kin
			attr = self.obj() if has_attr else None
			tag = self.obj() if has_tag else None
			car = self.obj()
			return {"pair": t, "attr": attr, "tag": tag, "car": car, "cdr": self.obj()}
		if t == 9:                            # CHARSXP
			n = self.int()
			if n == -1:
				return None
			s = self.b[self.p:self.p + n]
			self.p += n
			return s.decode("utf-8", "replace")
		if t in (10, 13):                     # logical, integer
			n = self.int()
			val = list(struct.unpack_from(f">{n}i", self.b, self.p))
			self.p += 4 * n
		elif t == 14:                         # double
			n = self.int()
			val = list(struct.unpack_from(f">{n}d", self.b, self.p))
			self.p += 8 * n
		elif t in (16, 19, 20):               # character, list, expression
			val = [self.obj() for _ in range(self.int())]
		elif t == 25:                         # S4 object: all in its attributes
			val = None
		else:
			fail(f"R object of type {t} at byte {self.p}: not one of Natural Earth's")
		return {"t": t, "v": val, "attr": self.obj() if has_attr else None}


def attrs(o):
	out, p = {}, o.get("attr") if isinstance(o, dict) else None
	while isinstance(p, dict) and "pair" in p:
		out[p["tag"][1]] = p["car"]
		p = p["cdr"]
	return out


def lazyload(datadir, name):
	index = RReader(gzip.open(os.path.join(datadir, "Rdata.rdx")).read()).obj()
	variables = index["v"][0]
	names = attrs(variables)["names"]["v"]
	if name not in names:
		fail(f"{datadir}: no object '{name}' (it has {', '.join(names)})")
	off, length = variables["v"][names.index(name)]["v"]
	with open(os.path.join(datadir, "Rdata.rdb"), "rb") as f:
		f.seek(off)
		b = f.read(length)
	n, kind, body = struct.unpack(">I", b[:4])[0], b[4:5], b[5:]
	if kind == b"Z":
		data = lzma.decompress(body, format=lzma.FORMAT_RAW,
			filters=[{"id": lzma.FILTER_LZMA2, "preset": 9 | lzma.PRESET_EXTREME}])
	elif kind == b"2":
		data = bz2.decompress(body)
	elif kind == b"1":
		data = zlib.decompress(body)
	elif kind == b"0":
		data = body
	else:
		data = zlib.decompress(b[4:])
	if len(data) != n:
		fail(f"{name}: {len(data)} bytes unpacked, {n} announced")
	return RReader(data).obj()


def matrix_points(m):
	v = m["v"]
	rows = len(v) // 2
	return [(v[i], v[rows + i]) for i in range(rows)]  # column-major: all x, then all y


# ---- geometry ----

def inside(p):
	return WEST <= p[0] <= EAST and SOUTH <= p[1] <= NORTH


def clip_segment(a, b):
	# Liang-Barsky: the part of a-b inside the box, or None
	t0, t1 = 0.0, 1.0
	dx, dy = b[0] - a[0], b[1] - a[1]
	for p, q in ((-dx, a[0] - WEST), (dx, EAST - a[0]), (-dy, a[1] - SOUTH), (dy, NORTH - a[1])):
		if p == 0:
			if q < 0:
				return None
			continue
		r = q / p
		if p < 0:
			if r > t1:
				return None
			t0 = max(t0, r)
		else:
			if r < t0:
				return None
			t1 = min(t1, r)
	return (a[0] + t0 * dx, a[1] + t0 * dy), (a[0] + t1 * dx, a[1] + t1 * dy)


def clip_line(pts):
	runs, run = [], []
	for a, b in zip(pts, pts[1:]):
		c = clip_segment(a, b)
		if c is None:
			if run:
				runs.append(run)
				run = []
			continue
		if not run:
			run = [c[0]]
		run.append(c[1])
		if c[1] != b:  # left the box
			runs.append(run)
			run = []
	if run:
		runs.append(run)
	return runs


def clip_ring(pts):
	# Sutherland-Hodgman against each side of the box
	def edge(ring, keep, cut):
		out = []
		for i, cur in enumerate(ring):
			prev = ring[i - 1]
			if keep(cur):
				if not keep(prev):
					out.append(cut(prev, cur))
				out.append(cur)
			elif keep(prev):
				out.append(cut(prev, cur))
		return out

	def at_x(x):
		return lambda a, b: (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))

	def at_y(y):
		return lambda a, b: (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)

	ring = pts[:-1] if pts[0] == pts[-1] else pts
	for keep, cut in ((lambda p: p[0] >= WEST, at_x(WEST)), (lambda p: p[0] <= EAST, at_x(EAST)),
			(lambda p: p[1] >= SOUTH, at_y(SOUTH)), (lambda p: p[1] <= NORTH, at_y(NORTH))):
		if not ring:
			return []
		ring = edge(ring, keep, cut)
	return ring


def simplify(pts, tol):
	# Douglas-Peucker, iterative; keeps both ends
	if len(pts) < 3:
		return pts
	keep = [False] * len(pts)
	keep[0] = keep[-1] = True
	stack = [(0, len(pts) - 1)]
	while stack:
		i, j = stack.pop()
		ax, ay = pts[i]
		bx, by = pts[j]
		dx, dy = bx - ax, by - ay
		norm = (dx * dx + dy * dy) ** 0.5
		best, at = -1.0, None
		for k in range(i + 1, j):
			px, py = pts[k]
			d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
			if d > best:
				best, at = d, k
		if at is not None and best > tol:
			keep[at] = True
			stack += [(i, at), (at, j)]
	return [p for p, k in zip(pts, keep) if k]


def quantize(pts):
	out = []
	for x, y in pts:
		q = (round(round(x / QUANTUM) * QUANTUM, 2), round(round(y / QUANTUM) * QUANTUM, 2))
		if not out or out[-1] != q:
			out.append(q)
	return out


def extent(pts):
	xs, ys = [p[0] for p in pts], [p[1] for p in pts]
	return max(max(xs) - min(xs), max(ys) - min(ys))


def coastline(datadir):
	obj = lazyload(datadir, "coastline50")
	lines = []
	for feature in attrs(obj)["lines"]["v"]:
		for line in attrs(feature)["Lines"]["v"]:
			pts = matrix_points(attrs(line)["coords"])
			if extent(pts) < MIN_EXTENT:
				continue
			for run in clip_line(pts):
				run = quantize(simplify(run, TOLERANCE))
				if len(run) >= 2 and (extent(run) >= MIN_EXTENT or run[0] == run[-1] and len(run) >= 4):
					lines.append([list(p) for p in run])
	return lines


def land(datadir):
	obj = lazyload(datadir, "countries50")
	a = attrs(obj)
	frame = a["data"]
	cols = dict(zip(attrs(frame)["names"]["v"], frame["v"]))
	codes = cols["adm0_a3"]["v"]
	out = []
	for code, feature in zip(codes, a["polygons"]["v"]):
		if code not in COUNTRIES:
			continue
		polys = []
		for poly in attrs(feature)["Polygons"]["v"]:
			pa = attrs(poly)
			if pa["hole"]["v"][0]:
				continue  # no lake in these countries at this scale is worth a hole
			pts = matrix_points(pa["coords"])
			if extent(pts) < MIN_EXTENT:
				continue
			ring = clip_ring(pts)
			if len(ring) < 3:
				continue
			ring = quantize(simplify(ring + [ring[0]], TOLERANCE))
			if len(ring) >= 4 and extent(ring) >= MIN_EXTENT:
				if ring[0] != ring[-1]:
					ring.append(ring[0])
				polys.append([[list(p) for p in ring]])
		if polys:
			out.append((code, polys))
	return out


def main():
	ap = argparse.ArgumentParser(description=__doc__)
	ap.add_argument("--package", help="the unpacked package (the directory holding usr/)")
	ap.add_argument("-o", dest="out", default=os.path.join(os.path.dirname(__file__), "..", "console", "data", "east-asia-50m.geojson"))
	args = ap.parse_args()
	with tempfile.TemporaryDirectory() as tmp:
		root, deb = args.package, None
		if not root:
			subprocess.run(["apt-get", "download", PACKAGE], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
			deb = glob.glob(os.path.join(tmp, f"{PACKAGE}_*.deb"))[0]
			root = os.path.join(tmp, "x")
			subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
		datadir = os.path.join(root, "usr/lib/R/site-library/rnaturalearthdata/data")
		if not os.path.isdir(datadir):
			fail(f"{root}: no {datadir}")
		# the Debian version, from the package's own changelog: "NAME (VERSION) ..."
		version = "unknown"
		log = os.path.join(root, "usr/share/doc", PACKAGE, "changelog.Debian.gz")
		if os.path.exists(log):
			first = gzip.open(log, "rt", encoding="utf-8").readline()
			if "(" in first and ")" in first:
				version = first.split("(", 1)[1].split(")", 1)[0]
		features = [{"type": "Feature", "properties": {"layer": "land", "party": code, "name": COUNTRIES[code]},
				"geometry": {"type": "MultiPolygon", "coordinates": polys}} for code, polys in land(datadir)]
		features.append({"type": "Feature", "properties": {"layer": "coastline"},
			"geometry": {"type": "MultiLineString", "coordinates": coastline(datadir)}})
		doc = {
			"type": "FeatureCollection",
			"source": f"Natural Earth 1:50m coastline and admin 0 countries, public domain, "
				f"from Debian's {PACKAGE} {version} (CC0); clipped to {WEST}E-{EAST}E {SOUTH}N-{NORTH}N, "
				f"simplified to {TOLERANCE} degree, kept to {QUANTUM} degree by scripts/coastline.py",
			"bbox": [WEST, SOUTH, EAST, NORTH],
			"features": features,
		}
		text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
		# one feature and one line of the coastline per line: diffs stay readable
		text = text.replace('{"type":"Feature"', '\n{"type":"Feature"').replace("],[[", "],\n[[") + "\n"
		tmp_out = args.out + ".tmp"
		os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
		with open(tmp_out, "w", encoding="utf-8") as f:
			f.write(text)
		os.replace(tmp_out, args.out)
		points = sum(len(r) for ft in features for g in ([ft["geometry"]["coordinates"]]) for r in
			(g if ft["geometry"]["type"] == "MultiLineString" else [ring for poly in g for ring in poly]))
		print(f"{args.out}: {len(features)} features, {points} points, {len(text)} bytes"
			+ (f"; {os.path.basename(deb)} sha256 {hashlib.sha256(open(deb, 'rb').read()).hexdigest()}" if deb else ""))


if __name__ == "__main__":
	main()
