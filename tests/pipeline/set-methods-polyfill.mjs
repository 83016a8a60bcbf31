// Node 20 lacks the ES2025 Set methods that gitlab-ci-local (built for Node 22+) calls; loaded with --import only by the GitLab test.
const P = Set.prototype;
const keys = (o) => (o instanceof Set || o instanceof Map ? o.keys() : new Set(o).keys());
if (!P.union) P.union = function (o) { const r = new Set(this); for (const k of keys(o)) r.add(k); return r; };
if (!P.intersection) P.intersection = function (o) { const s = new Set(keys(o)); return new Set([...this].filter((k) => s.has(k))); };
if (!P.difference) P.difference = function (o) { const s = new Set(keys(o)); return new Set([...this].filter((k) => !s.has(k))); };
if (!P.symmetricDifference) P.symmetricDifference = function (o) { const s = new Set(keys(o)); const r = new Set([...this].filter((k) => !s.has(k))); for (const k of s) if (!this.has(k)) r.add(k); return r; };
if (!P.isSubsetOf) P.isSubsetOf = function (o) { const s = new Set(keys(o)); return [...this].every((k) => s.has(k)); };
if (!P.isSupersetOf) P.isSupersetOf = function (o) { return [...keys(o)].every((k) => this.has(k)); };
if (!P.isDisjointFrom) P.isDisjointFrom = function (o) { const s = new Set(keys(o)); return [...this].every((k) => !s.has(k)); };
