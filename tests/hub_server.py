"""A small stand-in for the Hugging Face hub on 127.0.0.1, for tests that run the real `huggingface_hub` and
`datasets` clients through `HF_ENDPOINT` without internet.

It speaks the part of the hub's HTTP API that those clients call (read from huggingface_hub 2.4 and datasets
5.2): repo info (`/api/{models,datasets}/{id}[/revision/{rev}]`), the tree listing (`/api/.../tree/{rev}
[/{path}]`), `paths-info`, and file downloads (`[/datasets]/{id}/resolve/{rev}/{file}`, HEAD and GET, with the
`X-Repo-Commit`, `ETag` and `Content-Length` headers the client needs and the `X-Error-Code` of a missing repo,
revision or file). Repos are held in memory, one tree per revision (e.g. `main` and `refs/convert/parquet`).

Hand-written on `http.server` because no package on PyPI serves this layout offline (the hub mirrors there
proxy the real hub); it lives in tests/, never in the package. `HubServer` is a context manager: it starts one
server thread and stops exactly that thread and socket.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import yaml


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


@dataclass
class Repo:
    """One repo: {revision: {path: bytes}}; a revision's commit sha is a hash of its files."""

    repo_type: str  # "model" or "dataset"
    repo_id: str
    revisions: dict = field(default_factory=dict)

    def commit(self, revision: str) -> str:
        files = self.revisions[revision]
        return _sha1(json.dumps({p: _sha1(b) for p, b in sorted(files.items())}).encode() + revision.encode())

    def resolve(self, revision: str) -> str | None:
        """The revision name a ref or a commit sha stands for; None when the repo has neither."""
        if revision in self.revisions:
            return revision
        return next((r for r in self.revisions if self.commit(r) == revision), None)


def _card_data(files: dict) -> dict | None:
    """The YAML block of README.md, which the hub returns as `cardData`."""
    text = files.get("README.md", b"").decode()
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    return yaml.safe_load(match.group(1)) if match else None


def _entries(files: dict, prefix: str, recursive: bool) -> list[dict]:
    """Tree entries under `prefix` ("" = root) as the hub lists them: files and folders, one level or all."""
    base = prefix.strip("/")
    out, folders = [], set()
    for path in sorted(files):
        if base and not path.startswith(base + "/"):
            continue
        rest = path[len(base) + 1:] if base else path
        parts = rest.split("/")
        for depth in range(1, len(parts)):  # the folders on the way
            if recursive or depth == 1:
                folders.add("/".join(([base] if base else []) + parts[:depth]))
        if recursive or len(parts) == 1:
            out.append(_file_entry(path, files[path]))
    out += [{"type": "directory", "path": d, "oid": _sha1(d.encode()), "size": 0} for d in sorted(folders)]
    return out


def _file_entry(path: str, data: bytes) -> dict:
    return {"type": "file", "path": path, "oid": _sha1(data), "size": len(data)}


class HubServer:
    """`with HubServer() as hub: hub.add_model(...); env HF_ENDPOINT=hub.url`. `hub.requests` logs
    (method, path) of every request, so a test can say what a client fetched."""

    def __init__(self):
        self.repos: dict[tuple[str, str], Repo] = {}
        self.requests: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def add(self, repo_type: str, repo_id: str, files: dict, revision: str = "main") -> None:
        repo = self.repos.setdefault((repo_type, repo_id), Repo(repo_type, repo_id))
        repo.revisions[revision] = {p: (b if isinstance(b, bytes) else b.encode()) for p, b in files.items()}

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "HubServer":
        hub = self

        class Handler(_Handler):
            server_hub = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="hub-server", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()  # stops serve_forever of our thread only
        self._server.server_close()
        self._thread.join(timeout=10)


# a repo id is `owner/name`, or one name for the hub's canonical models (xlm-roberta-large, bert-base-...)
API = re.compile(r"^/api/(models|datasets)/([^/]+(?:/[^/]+)?)(?:/(revision|tree|paths-info)/([^/]+)(/.*)?)?$")
RESOLVE = re.compile(r"^(?:/(datasets))?/([^/]+(?:/[^/]+)?)/resolve/([^/]+)/(.+)$")


class _Handler(BaseHTTPRequestHandler):
    server_hub: HubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the test output is the log that matters
        pass

    def do_GET(self):
        self._route(body=True)

    def do_HEAD(self):
        self._route(body=False)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode()) if length else {}
        self._route(body=True, form=form)

    def _route(self, body: bool, form: dict | None = None):
        url = urlsplit(self.path)
        self.server_hub.requests.append((self.command, url.path))
        query = parse_qs(url.query)
        if m := API.match(url.path):
            kind, repo_id, verb, rev, rest = m.groups()
            return self._api(kind[:-1], repo_id, verb, unquote(rev or "main"), unquote(rest or ""), query, form, body)
        if m := RESOLVE.match(url.path):
            kind, repo_id, rev, path = m.groups()
            return self._resolve("dataset" if kind else "model", repo_id, unquote(rev), unquote(path), body)
        self._error(404, "RepoNotFound", f"no route {url.path}", body)

    def _repo(self, repo_type, repo_id, rev, body):
        repo = self.server_hub.repos.get((repo_type, repo_id))
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {repo_id} not found", body)
            return None, None
        name = repo.resolve(rev)
        if name is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {rev}", body)
            return None, None
        return repo, name

    def _api(self, repo_type, repo_id, verb, rev, rest, query, form, body):
        repo, name = self._repo(repo_type, repo_id, rev, body)
        if repo is None:
            return
        files = repo.revisions[name]
        if verb in (None, "revision"):
            info = {"id": repo_id, "sha": repo.commit(name), "private": False,
                    "siblings": [{"rfilename": p} for p in sorted(files)], "cardData": _card_data(files)}
            if repo_type == "model" and "config.json" in files:
                info["config"] = json.loads(files["config.json"])
            return self._json(info, body)
        if verb == "tree":
            recursive = query.get("recursive", ["false"])[0].lower() in ("true", "1")
            prefix = rest.strip("/")
            if prefix and prefix not in files and not any(p.startswith(prefix + "/") for p in files):
                return self._error(404, "EntryNotFound", f"{prefix} not found", body, repo.commit(name))
            return self._json(_entries(files, prefix, recursive), body)
        paths = (form or {}).get("paths", [])  # paths-info
        out = [_file_entry(p, files[p]) for p in paths if p in files]
        out += [{"type": "directory", "path": p, "oid": _sha1(p.encode()), "size": 0}
                for p in paths if p not in files and any(f.startswith(p.rstrip("/") + "/") for f in files)]
        self._json(out, body)

    def _resolve(self, repo_type, repo_id, rev, path, body):
        repo, name = self._repo(repo_type, repo_id, rev, body)
        if repo is None:
            return
        data = repo.revisions[name].get(path)
        if data is None:
            return self._error(404, "EntryNotFound", f"{path} does not exist", body, repo.commit(name))
        start, end, status = 0, len(data), 200
        if rng := re.match(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "")):  # fsspec reads ranges
            start = int(rng.group(1) or 0)
            end = min(len(data), int(rng.group(2)) + 1) if rng.group(2) else len(data)
            status = 206
        self.send_response(status)
        self.send_header("X-Repo-Commit", repo.commit(name))
        self.send_header("ETag", f'"{_sha1(data)}"')
        self.send_header("Content-Length", str(end - start))
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
        self.end_headers()
        if body:
            self.wfile.write(data[start:end])

    def _json(self, value, body):
        data = json.dumps(value).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _error(self, status, code, message, body, commit: str | None = None):
        data = json.dumps({"error": message}).encode()
        self.send_response(status)
        self.send_header("X-Error-Code", code)
        self.send_header("X-Error-Message", message)
        if commit:
            self.send_header("X-Repo-Commit", commit)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


# ---- tiny repos in the real layouts -------------------------------------------------------------------

def parquet_bytes(rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return sink.getvalue()


def dataset_card(configs: dict) -> str:
    """README.md with a `configs:` block as the hub's parquet datasets have ({config: {split: pattern}})."""
    meta = {"configs": [{"config_name": c, "data_files": [{"split": s, "path": p} for s, p in splits.items()]}
                        for c, splits in configs.items()]}
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n# tiny test dataset\n"


def config_dataset(configs: dict) -> dict:
    """Files of a dataset with one folder per config: {config: {hub split: rows}} -> {path: bytes}, laid out
    as facebook/xnli and google/xtreme are (`<config>/<split>-00000-of-00001.parquet`, README `configs:`)."""
    files = {f"{c}/{s}-00000-of-00001.parquet": parquet_bytes(rows)
             for c, splits in configs.items() for s, rows in splits.items()}
    files["README.md"] = dataset_card({c: {s: f"{c}/{s}-*" for s in splits} for c, splits in configs.items()})
    return files


def parquet_export(splits: dict, config: str = "default") -> dict:
    """The `refs/convert/parquet` branch of a script-only dataset: `<config>/<split>/0000.parquet`, no card."""
    return {f"{config}/{s}/0000.parquet": parquet_bytes(rows) for s, rows in splits.items()}


def model_files(model_dir) -> dict:
    """A saved model directory as repo files."""
    from pathlib import Path

    root = Path(model_dir)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
