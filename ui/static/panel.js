// Keyboard flow of the panel: the question box keeps focus, Enter asks (the form), Esc clears;
// a new answer scrolls into view and the earlier ones fold into the call's history.
(function () {
  const query = () => document.getElementById("query");

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && query()) {
      query().value = "";
      query().focus();
    }
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== "ask") return;
    document.querySelectorAll("#turns .turn").forEach((turn) => turn.classList.add("past"));
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "turns") return;
    const turn = event.detail.target.lastElementChild;
    if (turn) turn.scrollIntoView({ block: "start" });
    query().value = "";
    query().focus();
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (!button) return;
    const text = document.querySelector(button.dataset.copy).innerText;
    const done = () => button.classList.add("done");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => copyBySelection(text, done));
    } else {
      copyBySelection(text, done);
    }
  });

  function copyBySelection(text, done) {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    done();
  }
})();
