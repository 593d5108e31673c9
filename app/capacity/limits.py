"""The server's limits: Flask config keys with their defaults, their public view, and the
fixed bounds of values a request may carry.

Every limit in `DEFAULTS` can be changed per app (`create_app({"MAX_SESSIONS": 5})`), and
`/api/options` serves the values in force so the page builds its controls from the same numbers
the server checks against. The bounds below `DEFAULTS` are not settings: they say what a value
can mean at all (a point in the plane, a reason a person reads), and are defined here once.
"""

from nn_core import datasets, grid
from nn_core.seeds import MAX_EXACT_INTEGER

MB = 1024 * 1024
GB = 1024 * MB

DEFAULTS = {
    "MAX_HIDDEN_LAYERS": 8,
    "MAX_NEURONS": 64,
    "MAX_BATCH": 512,
    "MAX_POINTS": datasets.N_POINTS_RANGE[1],
    "MAX_CLASSES": datasets.MULTICLASS_RANGE[1],
    "MAX_GRID": grid.MAX_RESOLUTION,
    # Neuron maps multiply by the neuron count (up to 8 × 64 = 512 maps): 50 × 50 × 512 is
    # already 1.3 M values; TF Playground draws 10 × 10 thumbnails, our default is 25 × 25.
    "MAX_NEURON_GRID": 50,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "MAX_SESSIONS": 200,
    "SESSION_IDLE_TIMEOUT": 30 * 60,
    # When full, a session idle this long may be evicted to make room (else 429).
    "SESSION_EVICT_IDLE": 5 * 60,
    "MAX_STEP_MS": 250,
    "MAX_STEP_EPOCHS": 100_000,
    "MAX_STEP_BATCHES": 10_000_000,
    "MAX_WEIGHT": 100.0,
    # History rows kept per session before nn_core thins them (every other row dropped): bounds
    # memory (~1 KB a row) and keeps a long run's model export under the body limit.
    "HISTORY_ROWS": 4000,
    # POST /api/sessions/<id>/landscape: how many sessions one landscape compares, its finest
    # grid, and its work (nn_core.landscape.cost: cells × training points × (parameters + 48 ×
    # neurons));
    # 1e9 takes under a second on one core; the default network's 41 × 41 is 1.5e8.
    "MAX_LANDSCAPE_SESSIONS": 6,
    "MAX_LANDSCAPE_RESOLUTION": 101,
    "MAX_LANDSCAPE_WORK": 1_000_000_000,
    # POST /api/sessions/<id>/slice: the work of the loss along one weight (nn_core.loss_slice.
    # cost: values × rows × the network from that weight's layer on; 7e8 took 0.15 s on one
    # core). 41 values of the default network on 250 points are 3.7e6; a first-layer weight of
    # 8 × 64 on 4500 points costs 2.4e8 a value, so at most 8 values there.
    "MAX_SLICE_WORK": 2_000_000_000,
    # --- budgets (capacity/memory.py, capacity/store.py, session/snapshot.py, capacity/scheduler.py) ---
    # Every session's memory is estimated from its description before it is built; all of them
    # together must fit MEMORY_BUDGET and each one SESSION_MEMORY (the largest session the
    # other limits allow needs ~82 MB).
    "MEMORY_BUDGET": 2 * GB,
    "SESSION_MEMORY": 128 * MB,
    # What one client (one address, http/client.py) may hold of them: a class of 30 shares 200
    # sessions and 2 GB while one address floods; one learner's page needs a few sessions (its
    # own, Compare's up to three forks, one re-created after a restart), each a few MB.
    "CLIENT_SESSIONS": 16,
    "CLIENT_MEMORY": 512 * MB,
    # Peak memory of building one snapshot (working arrays + encoded answer). The page's own
    # snapshot of the largest network (100 × 100 grid, 25 × 25 neuron maps) needs ~22 MB.
    "MAX_SNAPSHOT_BYTES": 64 * MB,
    # Requests computing at once (GIL: more than one pays only for large networks).
    "COMPUTE_SLOTS": 1,
    # --- the network edge (http/guard.py) ---
    # Host names answered besides loopback names and IP addresses (`*`: any).
    "ALLOWED_HOSTS": [],
    # This worker's name: session ids start with it and a dot (several workers behind a proxy).
    "WORKER_NAME": "",
    # --- lessons (app/lessons/) ---
    # Directories whose *.json lessons are served besides the built-in ones (`--lessons DIR`).
    "LESSON_DIRS": [],
    # Addresses (or networks) of the proxies whose X-Real-IP header names the real client
    # (http/client.py); `python -m app --workers N` gives its workers loopback, where nginx runs.
    "TRUSTED_PROXIES": [],
}


# --- fixed bounds of request values -------------------------------------------------------
# Points (user points, a traced free point) of the plane datasets live in the input plane, like
# the datasets (a real set's points are checked against its own `value_range`).
COORD_LIMIT = datasets.PLANE
# A regression target the page can type in for a traced point.
REGRESSION_LABEL_LIMIT = 1e6
# Snapshot bounds: the plotted window stays within ±100 of the origin.
BOUNDS_LIMIT = 100.0
# Removing points near a spot: where the spot may be, and how far "near" reaches.
NEAR_LIMIT = 1e6
RADIUS_RANGE = (0.0, 100.0)
# Points one predict request may ask about (the drawing pad sends one at a time).
MAX_PREDICT_POINTS = 256
# Indices into a list of points (checked against the real list afterwards).
MAX_INDEX = 10**9
# Counters that travel to the page (epochs, steps, history_since): exact in JavaScript.
MAX_COUNT = MAX_EXACT_INTEGER
# Characters of a diverged session's reason (an import's is checked against it).
MAX_REASON = 300
# Practice (api/practice.py): questions one answer lists (the largest network has ~60,000, 16 MB
# of JSON; a page of 1,000 is ~0.3 MB), and answers one check marks (~40 µs each).
MAX_PRACTICE_QUESTIONS = 1000
MAX_PRACTICE_ANSWERS = 1000


def public_limits(config):
    """The limits as `/api/options` serves them (snake_case, units in the name)."""
    return {
        "max_hidden_layers": config["MAX_HIDDEN_LAYERS"],
        "max_neurons": config["MAX_NEURONS"],
        "max_batch": config["MAX_BATCH"],
        "max_points": config["MAX_POINTS"],
        "classes": [datasets.MULTICLASS_RANGE[0], config["MAX_CLASSES"]],
        "max_grid": config["MAX_GRID"],
        "max_neuron_grid": config["MAX_NEURON_GRID"],
        "max_body_bytes": config["MAX_CONTENT_LENGTH"],
        "max_sessions": config["MAX_SESSIONS"],
        "idle_timeout_s": config["SESSION_IDLE_TIMEOUT"],
        "evict_idle_s": config["SESSION_EVICT_IDLE"],
        "max_step_ms": config["MAX_STEP_MS"],
        "max_step_epochs": config["MAX_STEP_EPOCHS"],
        "max_step_batches": config["MAX_STEP_BATCHES"],
        "max_weight": config["MAX_WEIGHT"],
        "history_rows": config["HISTORY_ROWS"],
        "max_landscape_sessions": config["MAX_LANDSCAPE_SESSIONS"],
        "max_landscape_resolution": config["MAX_LANDSCAPE_RESOLUTION"],
        "max_landscape_work": config["MAX_LANDSCAPE_WORK"],
        "max_slice_work": config["MAX_SLICE_WORK"],
        "memory_budget_bytes": config["MEMORY_BUDGET"],
        "session_memory_bytes": config["SESSION_MEMORY"],
        "client_sessions": config["CLIENT_SESSIONS"],
        "client_memory_bytes": config["CLIENT_MEMORY"],
        "max_snapshot_bytes": config["MAX_SNAPSHOT_BYTES"],
    }
