"""The load generator of `make reliability`, a process of its own: N clients (asyncio + httpx),
each a person who logs in once through the real login form and then, for the run's seconds,
reads catalog, search, project, market, article and conversation pages and writes interest
requests, messages and comments, with a pause to think between two actions.

Each write carries a marker of its own in its text and is recorded with what the server said:
"acknowledged" only for a redirect to the page the write creates (the conversation, the
message's anchor, the comment's anchor). Every request is recorded with its start, end and
status (or the transport error), so the run can be cut into the windows of the faults.

Writes stay within the app's rate limits per person (interest 5, messages 30, comments 20 an
hour); each client sends its own X-Forwarded-For, which the app reads when the run sets
RATE_LIMIT_TRUSTED_PROXIES=1, so the limits per address count each client apart.

Prints "WINDOW <epoch seconds>" when all clients are logged in and the timed run starts.
"""

import argparse
import asyncio
import json
import random
import re
import time
from pathlib import Path
from urllib.parse import quote

import httpx

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
BUDGET = {"interest": 5, "message": 30, "comment": 20}  # the app's limits per person and hour
# How often a client picks each action, while its budget for writes lasts.
READS = {
    "home": 4,
    "catalog": 8,
    "filtered": 6,
    "search": 8,
    "site_search": 4,
    "project": 10,
    "market": 5,
    "offer": 5,
    "article": 5,
    "conversation": 6,
    "requests": 3,
}
WRITES = {"interest": 7, "message": 14, "comment": 11}


class Client:
    def __init__(self, number: int, person: dict, scene: dict, args, log: dict):
        self.number = number
        self.person = person
        self.scene = scene
        self.run = args.run
        self.log = log
        self.used = dict.fromkeys(BUDGET, 0)
        self.sequence = 0
        self.http = httpx.AsyncClient(
            base_url=args.base,
            follow_redirects=False,
            timeout=httpx.Timeout(args.timeout, connect=args.timeout),
            headers={"X-Forwarded-For": f"10.77.{number // 250}.{number % 250 + 1}"},
        )

    async def request(self, kind: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        started = time.time()
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.log["requests"].append(
                [started, time.time(), kind, method, -1, type(error).__name__, path]
            )
            return None
        self.log["requests"].append(
            [started, time.time(), kind, method, response.status_code, "", path]
        )
        return response

    def csrf(self) -> str:
        return next((c.value for c in self.http.cookies.jar if c.name == "csrftoken"), "")

    async def login(self) -> bool:
        for _attempt in range(5):
            form = await self.request("login_form", "GET", "/konto/login/")
            token = CSRF_FIELD.search(form.text) if form is not None else None
            if token:
                answer = await self.request(
                    "login",
                    "POST",
                    "/konto/login/",
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "login": self.person["email"],
                        "password": self.scene["password"],
                    },
                )
                if (
                    answer is not None
                    and answer.status_code == 302
                    and "/konto/login" not in answer.headers.get("location", "")
                ):
                    return True
            await asyncio.sleep(1 + random.random())
        return False

    # Reads -------------------------------------------------------------------------------

    def read_path(self, kind: str) -> str:
        scene, pick = self.scene, random.choice
        term = quote(pick(scene["search_terms"]))
        return {
            "home": "/",
            "catalog": pick(["/projekte/", "/projekte/?page=2", "/projekte/?sort=newest"]),
            "filtered": f"/projekte/?topic={pick(scene['topics'])}"
            + pick(["", "&state=NW", "&setting=rural"]),
            "search": f"/projekte/?q={term}",
            "site_search": f"/suche/?q={term}",
            "project": f"/projekte/{pick(scene['projects'])['slug']}/",
            "market": "/markt/",
            "offer": f"/markt/{pick(scene['offers'])}/",
            "article": f"/wissen/{scene['article']['slug']}/",
            "conversation": f"/anfragen/{self.person['conversation']}/",
            "requests": "/anfragen/",
        }[kind]

    async def read(self, kind: str) -> None:
        await self.request(kind, "GET", self.read_path(kind))

    # Writes ------------------------------------------------------------------------------

    def marker(self) -> str:
        self.sequence += 1
        return f"RLT{self.run}x{self.number}x{self.sequence}"

    async def write(self, kind: str, page: str, path: str, data: dict, acknowledged: str) -> None:
        """One write as a person makes it: open the page with the form, then send it."""
        form = await self.request(f"{kind}_page", "GET", page)
        if form is None or form.status_code != 200:
            return  # Nothing was sent; the failed page is counted with the requests.
        self.used[kind] += 1
        marker = self.marker()
        data = {key: value.replace("{marker}", marker) for key, value in data.items()}
        entry = {"marker": marker, "kind": kind, "user": self.person["email"], "t0": time.time()}
        answer = await self.request(
            kind, "POST", path, data={"csrfmiddlewaretoken": self.csrf(), **data}
        )
        entry["t1"] = time.time()
        if answer is None:
            entry.update(outcome="transport_error", status=None)
        else:
            location = answer.headers.get("location", "")
            entry.update(status=answer.status_code, location=location)
            match = re.fullmatch(acknowledged, location)
            if answer.status_code == 302 and match:
                entry.update(outcome="acknowledged", expect=match.groupdict())
            elif answer.status_code == 302:
                entry["outcome"] = "redirect_elsewhere"
            elif answer.status_code == 429:
                entry["outcome"] = "rate_limited"
            elif answer.status_code >= 500:
                entry["outcome"] = "server_error"
            else:
                entry["outcome"] = "refused"
        self.log["writes"].append(entry)

    async def interest(self) -> None:
        offers = self.scene["offers"]
        # Each request to another offer: one open request per offer and place is the rule.
        slug = offers[(self.number + 1 + self.used["interest"]) % len(offers)]
        await self.write(
            "interest",
            f"/markt/{slug}/interesse/",
            f"/markt/{slug}/interesse/",
            {
                "municipality": self.person["place"],
                "organisation": "",
                "message": "Wir möchten das Projekt bei uns starten. {marker}",
            },
            rf"/anfragen/(?P<request>{UUID})/",
        )

    async def message(self) -> None:
        conversation = self.person["conversation"]
        await self.write(
            "message",
            f"/anfragen/{conversation}/",
            f"/anfragen/{conversation}/nachricht/",
            {"body": "Wann können wir uns dazu kurz sprechen? {marker}"},
            rf"/anfragen/(?P<request>{conversation})/#latest",
        )

    async def comment(self) -> None:
        if random.random() < 0.5:
            kind, subject = "article", self.scene["article"]
            page = f"/wissen/{subject['slug']}/"
        else:
            kind, subject = "project", random.choice(self.scene["projects"])
            page = f"/projekte/{subject['slug']}/"
        await self.write(
            "comment",
            page,
            "/kommentare/neu/",
            {
                "kind": kind,
                "subject": str(subject["id"]),
                "parent": "",
                "body": "Das haben wir auch so erlebt. {marker}",
            },
            re.escape(page) + r"#comment-(?P<id>\d+)",
        )

    async def act(self) -> None:
        choices = dict(READS)
        choices.update({kind: w for kind, w in WRITES.items() if self.used[kind] < BUDGET[kind]})
        kind = random.choices(list(choices), weights=list(choices.values()))[0]
        if kind in WRITES:
            await getattr(self, kind)()
        else:
            await self.read(kind)

    async def work(self, deadline: float, think: float) -> None:
        while True:
            await asyncio.sleep(random.uniform(0, 2 * think))
            if time.time() >= deadline:
                return
            await self.act()


async def progress(log: dict, started: float, deadline: float) -> None:
    while time.time() < deadline:
        await asyncio.sleep(10)
        requests = log["requests"]
        print(
            f"  load {time.time() - started:4.0f} s: {len(requests)} requests, "
            f"{sum(1 for r in requests if r[4] >= 500)} 5xx, "
            f"{sum(1 for r in requests if r[4] == -1)} without answer, "
            f"{sum(1 for w in log['writes'] if w['outcome'] == 'acknowledged')} writes "
            "acknowledged",
            flush=True,
        )


async def main(args) -> None:
    scene = json.loads(Path(args.scene).read_text(encoding="utf-8"))
    log: dict = {"run": args.run, "requests": [], "writes": []}
    people = scene["users"][: args.clients]
    clients = [Client(n, person, scene, args, log) for n, person in enumerate(people)]
    log["login_started"] = time.time()
    logged_in = await asyncio.gather(*(client.login() for client in clients))
    log["login_seconds"] = round(time.time() - log["login_started"], 1)
    log["clients"] = len(clients)
    log["clients_logged_in"] = sum(logged_in)
    # The logins are not part of the timed run.
    log["login_requests"], log["requests"] = log["requests"], []
    ready = [client for client, ok in zip(clients, logged_in, strict=True) if ok]
    started = time.time()
    deadline = started + args.seconds
    log["window"] = [started, deadline]
    print(f"WINDOW {started}", flush=True)
    reporter = asyncio.create_task(progress(log, started, deadline))
    await asyncio.gather(*(client.work(deadline, args.think) for client in ready))
    reporter.cancel()
    log["finished"] = time.time()
    await asyncio.gather(*(client.http.aclose() for client in clients))
    Path(args.out).write_text(json.dumps(log), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--scene", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--run", required=True, help="hex id in every marker")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between actions")
    parser.add_argument("--timeout", type=float, default=120)
    asyncio.run(main(parser.parse_args()))
