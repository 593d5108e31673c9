// A step's goal, checked live against the page's state (docs/lessons.md, "Goals"):
//   {"metric": M, "below" | "above" | "at_most" | "at_least": x}   the newest history row (and epoch)
//   {"config": C, "equals" | "at_most" | "at_least": v}              the session's configuration,
//                                                                     plus hidden_neurons, hidden_layer_count
//   {"event": E}                                                     something the learner did (learner-events.js)
//   {"all": [goal, …]}, {"any": [goal, …]}
// The server has validated every goal against the vocabulary it serves, so nothing here guesses.

const COMPARE = {
  below: (v, x) => v < x, above: (v, x) => v > x, at_most: (v, x) => v <= x, at_least: (v, x) => v >= x,
};
const WORDS = { below: "below", above: "above", at_most: "at most", at_least: "at least", equals: "=" };
const PERCENT = /accuracy$/;   // shown as percentages, as the stats show them

/** What a goal is checked against: {metrics (with epoch), config (with the derived counts), events}. */
export function goalContext(state, events) {
  const cfg = state.config || {};
  const layers = cfg.hidden_layers || [];
  return {
    metrics: { ...state.metrics, epoch: state.epoch },
    config: { ...cfg, hidden_neurons: layers.reduce((a, b) => a + b, 0), hidden_layer_count: layers.length },
    events,
  };
}

const testOf = (goal, subject) => Object.keys(goal).find((k) => k !== subject);

/** Whether `goal` holds in `ctx` (goalContext). A metric that is not a finite number holds nothing. */
export function goalMet(goal, ctx) {
  if (goal.all) return goal.all.every((g) => goalMet(g, ctx));
  if (goal.any) return goal.any.some((g) => goalMet(g, ctx));
  if (goal.event) return ctx.events.has(goal.event);
  if (goal.metric) {
    const test = testOf(goal, "metric");
    const v = ctx.metrics[goal.metric];
    return typeof v === "number" && Number.isFinite(v) && COMPARE[test](v, goal[test]);
  }
  const test = testOf(goal, "config");
  const v = ctx.config[goal.config];
  if (test === "equals") return JSON.stringify(v ?? null) === JSON.stringify(goal.equals);
  return typeof v === "number" && COMPARE[test](v, goal[test]);
}

/** The goal as a tree of lines to show: [{text, met, children}] (children for all/any);
 * options: /api/options (the events' words, and the labels of registered names). */
export function goalLines(goal, ctx, options) {
  const events = new Map(options.lessons.events.map((e) => [e.name, e.label]));
  const labels = new Map();
  for (const [field, list] of Object.entries(NAME_LISTS)) for (const item of options[list] || []) labels.set(`${field}:${item.name}`, item.label || item.name);
  for (const item of options.activations || []) labels.set(`output_activation:${item.name}`, item.label || item.name);
  const line = (g) => {
    if (g.all || g.any) {
      const parts = (g.all || g.any).map(line);
      return { text: g.all ? "All of these:" : "One of these:", met: goalMet(g, ctx), children: parts };
    }
    return { text: sentence(g, events, labels), met: goalMet(g, ctx), children: [] };
  };
  const top = line(goal);
  return goal.all ? top.children : [top];   // the usual "all" needs no heading
}

// Configuration fields holding registered names, and the /api/options list with their labels.
const NAME_LISTS = { dataset: "datasets", features: "features", activation: "activations", loss: "losses", init: "initializers", optimizer: "optimizers", schedule: "schedules", regularization: "regularizations", problem: "problems" };
// Field names that read badly as words.
const FIELD_WORDS = { init: "initializer", n_points: "points", n_classes: "classes", reg_rate: "regularization rate", hidden_layer_count: "hidden layers", train_ratio: "training share", reg_loss: "regularization penalty" };
const named = (name) => FIELD_WORDS[name] || name.replace(/_/g, " ").replace(/\br2\b/, "R²").replace(/\brmse\b/, "RMSE");
const upper = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function sentence(g, events, labels) {
  if (g.event) return upper(events.get(g.event) || named(g.event));
  if (g.metric) {
    const test = testOf(g, "metric"), x = g[test];
    const value = PERCENT.test(g.metric) ? `${+(x * 100).toFixed(2)} %` : String(x);
    return `${upper(named(g.metric))} ${WORDS[test]} ${value}`;
  }
  const test = testOf(g, "config");
  const v = g[test];
  const word = (x) => labels.get(`${g.config}:${x}`) || String(x);
  const value = Array.isArray(v) ? v.map(word).join(", ") : v === null ? "none" : word(v);
  return `${upper(named(g.config))} ${WORDS[test]} ${value}`;
}
