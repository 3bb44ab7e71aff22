// Embed: <script src="https://HOST/static/voiceagent/widget.js" data-agent="PUBLIC_ID" async></script>
// Optional: data-position="bottom-left", data-color="#0b7285", data-lang="de",
// data-open="true", data-label="Talk to us", data-title="Front desk", data-server="https://HOST",
// data-session-url="/your/endpoint" (calls started with a token from your backend; docs/api.md).
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("AudioWorkletNode" in window) || !window.WebSocket) return;
  var load = function () {
    import(new URL("./widget/main.js", script.src).href)
      .then(function (module) { module.mount(script); })
      .catch(function (error) { console.error("voiceagent widget failed to load", error); });
  };
  if (document.body) load();
  else document.addEventListener("DOMContentLoaded", load);
})();
