"""The seed's FastAPI server (asyncio-basics.txt, "简单Demo"), verbatim, plus a port argument.

    /usr/bin/python3 bench/python/seed_server.py PORT [--no-access-log]

Run by bench/scenarios/cli.ts against `tsio serve`. Needs fastapi and uvicorn (Debian's
python3-fastapi and python3-uvicorn). `--no-access-log` is the bench's addition, for the
"logs off" rows; without it uvicorn logs every request, as the seed's server does.
"""

import sys

# ---- the seed's code, verbatim ----
from fastapi import FastAPI
import uvicorn
import time

app = FastAPI()

@app.get("/")
def read_root():
    return {"Hello": "World"}

@app.get("/timeit/{seconds}")
def timeit(seconds):
    seconds = int(seconds)
    time.sleep(seconds)
    return f"sleep seconds: {seconds}"
# ---- end of the seed's code ----

if __name__ == "__main__":
    # The seed calls uvicorn.run(app): port 8000, access log on.
    uvicorn.run(app, port=int(sys.argv[1]), access_log="--no-access-log" not in sys.argv[2:])
