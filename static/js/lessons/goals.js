// A step's goal, checked live against the page's state (docs/lessons.md, "Goals"):
//   {"metric": M, "below" | "above" | "at_most" | "at_least": x}   the newest history row (and epoch)
//   {"config": C, "equals" | "at_most" | "at_least": v}              the session's configuration,
//                                                                     plus hidden_neurons, hidden_layer_count
//   {"event": E}                                                     something the learner did (events.js)
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

/** The goal as a tree of lines to show: [{text, met, children}] (children for all/any). */
export function goalLines(goal, ctx, vocabulary) {
  const events = new Map(vocabulary.events.map((e) => [e.name, e.label]));
  const line = (g) => {
    if (g.all || g.any) {
      const parts = (g.all || g.any).map(line);
      return { text: g.all ? "All of these:" : "One of these:", met: goalMet(g, ctx), children: parts };
    }
    return { text: sentence(g, events), met: goalMet(g, ctx), children: [] };
  };
  const top = line(goal);
  return goal.all ? top.children : [top];   // the usual "all" needs no heading
}

const named = (name) => name.replace(/_/g, " ").replace(/\br2\b/, "R²").replace(/\brmse\b/, "RMSE");
const upper = (text) => text.charAt(0).toUpperCase() + text.slice(1);

function sentence(g, events) {
  if (g.event) return upper(events.get(g.event) || named(g.event));
  if (g.metric) {
    const test = testOf(g, "metric"), x = g[test];
    const value = PERCENT.test(g.metric) ? `${+(x * 100).toFixed(2)} %` : String(x);
    return `${upper(named(g.metric))} ${WORDS[test]} ${value}`;
  }
  const test = testOf(g, "config");
  const v = g[test];
  const value = Array.isArray(v) ? v.join(", ") : v === null ? "none" : String(v);
  return `${upper(named(g.config))} ${WORDS[test]} ${value}`;
}
