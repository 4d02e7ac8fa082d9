// The panel mid-call: the question box keeps focus, Enter asks (the form), Esc clears; a new
// answer scrolls into view and the earlier ones fold into the call's history. A failure is never
// silent: an error turn with 重试 appears and the question stays in the box. The call (its turns,
// its session and the question being typed) is kept in sessionStorage, so a sign-in that expired
// mid-call, or a reload, returns to it.
(function () {
  const KEY = "kb-call";
  const query = () => document.getElementById("query");
  const turns = () => document.getElementById("turns");
  const form = () => document.getElementById("ask");
  let lastQuestion = "";

  function save() {
    if (!turns() || !form()) return;
    const state = { session: form().elements.session_id.value, query: query().value,
                    turns: [...turns().querySelectorAll(".turn")].map((t) => t.outerHTML) };
    sessionStorage.setItem(KEY, JSON.stringify(state));
  }

  function restore() {
    const state = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (!state || !turns() || !state.turns.length) return;
    form().elements.session_id.value = state.session;
    turns().dataset.session = state.session;
    turns().querySelector(".empty")?.remove();
    turns().insertAdjacentHTML("beforeend", state.turns.join(""));
    turns().querySelectorAll(".turn").forEach((t) => t.classList.add("past"));
    htmx.process(turns());
    query().value = state.query || "";
    turns().lastElementChild?.scrollIntoView({ block: "start" });
  }

  function errorTurn(message) {
    turns().querySelector(".empty")?.remove();
    const turn = document.createElement("section");
    turn.className = "turn turn-error";
    turn.setAttribute("role", "alert");
    const question = document.createElement("p");
    question.className = "question";
    question.textContent = "问：" + lastQuestion;
    const text = document.createElement("p");
    text.className = "error";
    text.textContent = message + "。问题还在输入框里。";
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "retry";
    retry.textContent = "重试";
    retry.dataset.question = lastQuestion;
    turn.append(question, text, retry);
    turns().append(turn);
    turn.scrollIntoView({ block: "start" });
    query().value = lastQuestion;
    query().focus();
  }

  function ask(question) {
    query().value = question;
    htmx.trigger(form(), "submit");
  }

  document.addEventListener("DOMContentLoaded", restore);

  document.addEventListener("keydown", (event) => {
    if (!query()) return;
    if (event.key === "Escape") {
      query().value = "";
      query().focus();
    } else if (event.altKey && event.key.toLowerCase() === "x") {
      dropContext();
    } else if (event.altKey && event.key.toLowerCase() === "n") {
      document.querySelector("a.new-call")?.click();
    }
  });

  function dropContext() {
    form().elements.drop_context.value = "1";
    turns().querySelectorAll(".context").forEach((c) => c.classList.add("dropped"));
    query().focus();
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id !== "ask") return;
    lastQuestion = query().value;
    turns().setAttribute("aria-busy", "true");
    turns().querySelectorAll(".turn").forEach((turn) => turn.classList.add("past"));
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt.id !== "ask") return;
    turns().setAttribute("aria-busy", "false");
    form().elements.drop_context.value = "";
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "turns") return;
    turns().querySelector(".empty")?.remove();
    const turn = event.detail.target.lastElementChild;
    if (turn) turn.scrollIntoView({ block: "start" });
    if (!turn || !turn.classList.contains("turn-error")) query().value = "";
    query().focus();
    save();
  });

  // A 5xx, a 4xx other than a refused question (422, swapped as a turn), a dropped network or a
  // request that took too long: say so where the answer would be, and offer to ask again.
  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.elt.id !== "ask") return;
    const status = event.detail.xhr.status;
    if (status === 401) {
      save();
      window.location.href = "/signin?next=/&expired=1";
      return;
    }
    errorTurn(status >= 500 ? `服务器出错（${status}），这次没有查到` : `查询被拒绝（${status}）`);
  });
  document.addEventListener("htmx:sendError", (event) => {
    if (event.detail.elt.id === "ask") errorTurn("网络中断，问题没有发出");
  });
  document.addEventListener("htmx:timeout", (event) => {
    if (event.detail.elt.id === "ask") errorTurn("查询超时，没有收到回答");
  });

  document.addEventListener("input", (event) => {
    if (event.target.id === "query") save();
  });

  document.addEventListener("click", (event) => {
    const retry = event.target.closest("button.retry");
    if (retry) return ask(retry.dataset.question);
    const example = event.target.closest("button.example");
    if (example) return ask(example.textContent);
    if (event.target.closest("button.drop-context")) return dropContext();
    const newCall = event.target.closest("a.new-call");
    if (newCall) {
      const hasTurns = turns() && turns().querySelector(".turn");
      if (hasTurns && !window.confirm(newCall.dataset.confirm)) {
        event.preventDefault();
        return;
      }
      sessionStorage.removeItem(KEY);
      return;
    }
    const button = event.target.closest("button.copy");
    if (!button) return;
    event.preventDefault(); // a copy button in a disclosure's summary does not fold it
    const source = document.querySelector(button.dataset.copy);
    // a folded disclosure is not rendered, so it has no innerText: copy its text as written
    const text = source.innerText.trim() || source.textContent.trim();
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

  // A form that changes what is live (回滚到此版本) asks first, with what it restores.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A file control: the chosen file's name beside the Chinese 选择文件 button. On the upload form a
  // changed file or field makes the last preview stale, so it (and its 发布) goes.
  document.addEventListener("change", (event) => {
    if (event.target.type === "file") {
      const shown = event.target.closest(".file-pick")?.querySelector(".file-name");
      if (shown) shown.textContent = event.target.files[0]?.name || "未选择文件";
    }
    if (!event.target.closest("form#upload")) return;
    const result = document.getElementById("result");
    if (result) result.replaceChildren();
  });

  // A live call: the panel says whether it is following the call (the SSE extension reconnects
  // by itself after a dropped connection).
  const following = { "htmx:sseOpen": ["open", "已连接"], "htmx:sseError": ["lost", "连接中断，正在重连…"] };
  for (const [name, [state, words]] of Object.entries(following)) {
    document.addEventListener(name, () => {
      const live = document.getElementById("live");
      if (!live) return;
      live.dataset.live = state;
      live.querySelector(".live-state").textContent = words;
    });
  }

  // Each event's id goes into the stream's address, so that a reconnection (to this process or,
  // behind a proxy, another) resumes after it; the browser also sends it as Last-Event-ID.
  document.addEventListener("htmx:sseMessage", (event) => {
    const live = document.getElementById("live");
    const id = event.detail && event.detail.lastEventId;
    if (!live || !id) return;
    const url = new URL(live.getAttribute("sse-connect"), window.location.href);
    url.searchParams.set("after", id);
    live.setAttribute("sse-connect", url.pathname + url.search);
  });
})();
