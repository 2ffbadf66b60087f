"""The seven benchmark endpoints on FastAPI, written the way its documentation shows: pydantic
models, an asyncpg pool opened in the lifespan (asyncpg prepares and caches the statement), and
Jinja2Templates. Run by bench/harness.py with uvicorn, 2 workers (one per core), uvloop and
httptools, access log off:

    uvicorn app:app --host 127.0.0.1 --port 8080 --workers 2 --no-access-log
"""

import os
import random
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

WORLD_SQL = "SELECT id, randomnumber FROM world WHERE id = $1"
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/ntnt")
# 16 connections in all, as for the other servers: each of the 2 workers holds half.
POOL_SIZE = int(os.environ.get("POOL_SIZE", "8"))


class Nested(BaseModel):
    key: str


class EchoBody(BaseModel):
    message: str
    numbers: list[int]
    nested: Nested


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.pool = await asyncpg.create_pool(DATABASE_URL, min_size=1, max_size=POOL_SIZE)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)
templates = Jinja2Templates(directory=os.path.join(os.path.dirname(__file__), "templates"))


async def random_world(connection):
    row = await connection.fetchrow(WORLD_SQL, random.randint(1, 10000))
    return {"id": row["id"], "randomNumber": row["randomnumber"]}


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext():
    return "Hello, World!"


@app.get("/json")
async def hello_json():
    return {"message": "Hello, World!"}


@app.get("/users/{id}")
async def user(id: str):
    return {"id": id}


@app.post("/json")
async def echo_json(body: EchoBody):
    return body


@app.get("/db")
async def single_query(request: Request):
    async with request.app.state.pool.acquire() as connection:
        return await random_world(connection)


def query_count(raw):
    try:
        return min(max(int(raw), 1), 500)
    except (TypeError, ValueError):
        return 1


@app.get("/queries")
async def queries(request: Request, count: str | None = None):
    async with request.app.state.pool.acquire() as connection:
        return [await random_world(connection) for _ in range(query_count(count))]


@app.get("/template")
async def template_page(request: Request):
    async with request.app.state.pool.acquire() as connection:
        rows = [await random_world(connection) for _ in range(10)]
    return templates.TemplateResponse(request, "world.html", {"rows": rows})
