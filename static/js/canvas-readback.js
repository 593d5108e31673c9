// Plotly measures text by drawing it on canvases of its own and reading the pixels back
// (getImageData) again and again; Chrome then warns that such a canvas should have been created
// with willReadFrequently. This classic script runs before Plotly loads: a 2D context asked for
// without options on a canvas that is not in the page (Plotly's measuring canvases, the page's own
// off-screen atlases) gets willReadFrequently, so read-backs stay on the CPU and nothing warns.
(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, options) {
    if (type === "2d" && options === undefined && !this.isConnected) return getContext.call(this, type, { willReadFrequently: true });
    return getContext.apply(this, arguments);
  };
})();
