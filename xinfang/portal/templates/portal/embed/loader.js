/* xinfang: the mailbox on a bureau's website, from the one <script> tag given in the mailbox admin.
 * It shows a floating window (飘窗) or a pop-up (弹窗) framing the mailbox's small page, which
 * opens the mailbox in a new window. Only the websites set for the mailbox may frame it (the
 * page's Content-Security-Policy frame-ancestors); elsewhere this script shows nothing.
 * Styles are set through the DOM, so a strict style-src on the host page does not block them. */
(function (config) {
  "use strict";
  if (config.origins.indexOf(window.location.origin) === -1) {
    if (window.console) { window.console.warn("xinfang: " + window.location.origin + " may not embed this mailbox"); }
    return;
  }
  var doc = document;
  var seen = "xinfang-popup-seen:" + config.frame;

  function css(el, styles) {
    Object.keys(styles).forEach(function (name) { el.style[name] = styles[name]; });
    return el;
  }

  var dialog = css(doc.createElement("div"), {
    position: "fixed", inset: "0", background: "rgba(0,0,0,.45)", zIndex: "2147483646",
    display: "none", alignItems: "center", justifyContent: "center"
  });
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-label", config.title);
  dialog.setAttribute("data-xinfang", "dialog");
  var panel = css(doc.createElement("div"), {
    background: "#fff", width: "min(420px, 92vw)", height: "min(520px, 86vh)", borderRadius: "8px",
    display: "flex", flexDirection: "column", overflow: "hidden", boxShadow: "0 8px 32px rgba(0,0,0,.3)"
  });
  var close = css(doc.createElement("button"), {
    alignSelf: "flex-end", minWidth: "44px", minHeight: "44px", border: "0", background: "transparent",
    fontSize: "16px", cursor: "pointer"
  });
  close.type = "button";
  close.textContent = "✕ " + config.close;
  var frame = css(doc.createElement("iframe"), { flex: "1", border: "0", width: "100%" });
  frame.title = config.title;
  panel.appendChild(close);
  panel.appendChild(frame);
  dialog.appendChild(panel);

  function open() {
    if (!frame.src) { frame.src = config.frame; }
    dialog.style.display = "flex";
    close.focus();
  }
  function shut() { dialog.style.display = "none"; }
  close.addEventListener("click", shut);
  dialog.addEventListener("click", function (event) { if (event.target === dialog) { shut(); } });
  doc.addEventListener("keydown", function (event) { if (event.key === "Escape") { shut(); } });

  var button = css(doc.createElement("button"), {
    position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483645", minHeight: "48px",
    maxWidth: "calc(100vw - 32px)",
    padding: "8px 16px", border: "0", borderRadius: "24px", background: "#1d4f91", color: "#fff",
    fontSize: "16px", boxShadow: "0 4px 16px rgba(0,0,0,.25)", cursor: "pointer"
  });
  button.type = "button";
  button.textContent = "✉ " + config.title;
  button.setAttribute("data-xinfang", "float");
  button.addEventListener("click", open);

  function start() {
    doc.body.appendChild(button);
    doc.body.appendChild(dialog);
    if (config.style === "popup") {
      var shown = false;
      try { shown = window.sessionStorage.getItem(seen) === "1"; window.sessionStorage.setItem(seen, "1"); } catch (e) { shown = false; }
      if (!shown) { open(); }
    }
  }
  if (doc.readyState === "loading") { doc.addEventListener("DOMContentLoaded", start); } else { start(); }
})({{ config|safe }});
