// Projector mode, for a teacher in front of a class: larger text and plots, fewer panels (the
// help lines, the weight heatmaps, the transformed space, the confusion matrices, CSV and model
// files). One switch in the top bar; kept in the link as view.proj=1 (declared by
// views/lessons.js). What changes is all CSS (static/css/lessons.css, body.projector).

/** Show the page in projector mode or not; plots that size themselves to the window re-measure. */
export function showProjector(on) {
  if (document.body.classList.contains("projector") === on) return;
  document.body.classList.toggle("projector", on);
  window.dispatchEvent(new Event("resize"));
}
