// The Clearance search page. Plain browser JavaScript, no build step and no dependencies.
// Every piece of data from the service is put on the page with textContent, never as HTML.
"use strict";

(function () {
  const TOKEN_KEY = "clearance.token";
  // More than the API default (5): a person scans a page of results; an agent pays for each token.
  const TOP_K = 10;
  const SNIPPET_CHARS = 360;
  // Readers per page of the auditor's access panel.
  const ACCESS_PAGE = 50;
  const NO_MODEL_NOTE = "No language model configured; showing search results only.";

  const $ = (id) => document.getElementById(id);
  const ui = {
    identity: $("identity"),
    whoami: $("whoami"),
    signOut: $("sign-out"),
    signIn: $("sign-in"),
    demo: $("demo"),
    demoTenant: $("demo-tenant"),
    demoUsers: $("demo-users"),
    tokenForm: $("token-form"),
    token: $("token"),
    signInProblem: $("sign-in-problem"),
    search: $("search"),
    searchForm: $("search-form"),
    query: $("query"),
    searchButton: $("search-button"),
    status: $("status"),
    searchProblem: $("search-problem"),
    answer: $("answer"),
    answerStatus: $("answer-status"),
    answerBody: $("answer-body"),
    answerText: $("answer-text"),
    citations: $("citations"),
    answerModel: $("answer-model"),
    answerRequestId: $("answer-request-id"),
    answerProblem: $("answer-problem"),
    answerNote: $("answer-note"),
    results: $("results"),
    resultList: $("result-list"),
    requestId: $("request-id"),
  };

  // Whether /v1/ask can answer; learnt from its first reply and kept until the page reloads.
  let askAvailable = true;
  // Each search gets a number; replies to an older search are dropped.
  let generation = 0;

  // ---- small helpers --------------------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function clear(node) {
    node.replaceChildren();
  }

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function storeToken(token) {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      // Storage may be disabled; the token then lives only as long as this page.
    }
  }

  let memoryToken = null;

  function currentToken() {
    return storedToken() || memoryToken;
  }

  /** The claims of a JWT, for display only: the service verifies the token, the page never does. */
  function claimsOf(token) {
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    try {
      const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
      const padded = base64 + "===".slice((base64.length + 3) % 4);
      const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === "object" ? claims : null;
    } catch (e) {
      return null;
    }
  }

  function describe(claims) {
    if (!claims) return "token holder";
    const user = typeof claims.sub === "string" ? claims.sub : "unknown user";
    const agent = claims.act && typeof claims.act.sub === "string" ? claims.act.sub : null;
    const tenant = typeof claims.org_id === "string" ? claims.org_id : null;
    let text = agent ? agent + " for " + user : user;
    if (tenant) text += " (" + tenant + ")";
    return text;
  }

  /**
   * Calls the service. Resolves to {ok, status, body, requestId}; body is the parsed JSON (a
   * problem document for errors) or null. Network failures resolve too, with status 0.
   */
  async function call(method, path, body, token) {
    const headers = { Accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = "Bearer " + token;
    let response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch (e) {
      return { ok: false, status: 0, body: null, requestId: null };
    }
    let parsed = null;
    const text = await response.text().catch(() => "");
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        parsed = null;
      }
    }
    return {
      ok: response.ok,
      status: response.status,
      body: parsed,
      requestId: response.headers.get("X-Request-Id") || (parsed && parsed.requestId) || null,
    };
  }

  function problemType(reply) {
    return reply.body && typeof reply.body.type === "string" ? reply.body.type : "";
  }

  /** Fills a problem box with a readable account of a failed call. */
  function showProblem(box, reply, action) {
    clear(box);
    const problem = reply.body && typeof reply.body === "object" ? reply.body : {};
    let title;
    let detail;
    if (reply.status === 0) {
      title = "The service could not be reached";
      detail = "Check your connection and try again.";
    } else {
      title = typeof problem.title === "string" && problem.title ? problem.title : "Request failed";
      detail = typeof problem.detail === "string" ? problem.detail : "";
    }
    const heading = el("p", "problem-title");
    heading.append(el("strong", null, action + " failed: " + title));
    if (reply.status) heading.append(el("span", "problem-status", " (HTTP " + reply.status + ")"));
    box.append(heading);
    if (detail && detail !== title) box.append(el("p", "problem-detail", detail));
    if (Array.isArray(problem.errors) && problem.errors.length) {
      const list = el("ul", "problem-errors");
      for (const error of problem.errors) {
        if (error && typeof error === "object") {
          list.append(el("li", null, String(error.field || "") + ": " + String(error.message || "")));
        }
      }
      box.append(list);
    }
    if (reply.status === 401) {
      box.append(el("p", "hint", "Your token was not accepted (it may have expired). Sign out and sign in again."));
    } else if (reply.status === 503) {
      box.append(el("p", "hint", "Nothing was shown rather than risking a document you may not read. Try again shortly."));
    }
    if (reply.requestId) {
      const support = el("p", "meta", "Request id for support: ");
      support.append(el("code", "request-id", reply.requestId));
      box.append(support);
    }
    show(box, true);
  }

  // ---- signing in -----------------------------------------------------------------------------

  function signIn(token) {
    const claims = claimsOf(token);
    if (!claims) {
      return "That does not look like a JWT (three dot-separated parts).";
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
      return "That token expired at " + new Date(claims.exp * 1000).toLocaleString() + ".";
    }
    memoryToken = token;
    storeToken(token);
    renderSignedIn(true);
    ui.query.focus();
    return null;
  }

  function signOut() {
    memoryToken = null;
    storeToken(null);
    generation++;
    clear(ui.resultList);
    clear(ui.citations);
    show(ui.results, false);
    show(ui.answer, false);
    show(ui.answerNote, false);
    show(ui.searchProblem, false);
    ui.status.textContent = "";
    ui.token.value = "";
    renderSignedIn(false);
    ui.token.focus();
  }

  function renderSignedIn(signedIn) {
    show(ui.signIn, !signedIn);
    show(ui.search, signedIn);
    show(ui.identity, signedIn);
    show(ui.signInProblem, false);
    ui.whoami.textContent = signedIn ? describe(claimsOf(currentToken() || "")) : "";
  }

  function signInProblem(message) {
    clear(ui.signInProblem);
    ui.signInProblem.append(el("p", null, message));
    show(ui.signInProblem, true);
  }

  ui.tokenForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = ui.token.value.trim().replace(/^Bearer\s+/i, "").replace(/\s+/g, "");
    if (!token) {
      signInProblem("Paste an access token first.");
      ui.token.focus();
      return;
    }
    const problem = signIn(token);
    if (problem) {
      signInProblem(problem);
      ui.token.focus();
    }
  });

  ui.signOut.addEventListener("click", signOut);

  /** Demo mode: the service lists the demo people and issues their tokens. */
  async function loadDemoUsers() {
    const reply = await call("GET", "demo/users");
    if (!reply.ok || !reply.body || !Array.isArray(reply.body.users)) return;
    const tenant = typeof reply.body.tenant === "string" ? reply.body.tenant : null;
    ui.demoTenant.textContent = tenant || "(none)";
    clear(ui.demoUsers);
    for (const person of reply.body.users) {
      if (!person || typeof person.user !== "string") continue;
      const agent = typeof person.agent === "string" ? person.agent : null;
      const item = el("li");
      const button = el("button", "demo-user");
      button.type = "button";
      button.append(el("span", "demo-name", agent ? agent + " for " + person.user : person.user));
      if (typeof person.description === "string") {
        button.append(el("span", "demo-description", person.description));
      }
      button.addEventListener("click", () => demoSignIn(person.user, agent, tenant, button));
      item.append(button);
      ui.demoUsers.append(item);
    }
    show(ui.demo, ui.demoUsers.childElementCount > 0);
  }

  async function demoSignIn(user, agent, tenant, button) {
    button.disabled = true;
    const request = { user: user };
    if (tenant) request.tenant = tenant;
    if (agent) request.agent = agent;
    const reply = await call("POST", "demo/token", request);
    button.disabled = false;
    if (!reply.ok || !reply.body || typeof reply.body.accessToken !== "string") {
      showProblem(ui.signInProblem, reply, "Demo sign-in");
      return;
    }
    const problem = signIn(reply.body.accessToken);
    if (problem) signInProblem(problem);
  }

  // ---- searching ------------------------------------------------------------------------------

  ui.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = ui.query.value.trim();
    if (!query) {
      ui.status.textContent = "Type what you are looking for first.";
      ui.query.focus();
      return;
    }
    search(query);
  });

  async function search(query) {
    const mine = ++generation;
    const token = currentToken();
    if (!token) {
      signOut();
      return;
    }
    ui.status.textContent = "Searching…";
    ui.searchButton.disabled = true;
    show(ui.searchProblem, false);
    show(ui.answer, false);
    show(ui.answerNote, false);
    ui.results.setAttribute("aria-busy", "true");

    const reply = await call("POST", "v1/search", { query: query, topK: TOP_K }, token);
    if (mine !== generation) return;
    ui.searchButton.disabled = false;
    ui.results.removeAttribute("aria-busy");

    if (!reply.ok || !reply.body || !Array.isArray(reply.body.results)) {
      clear(ui.resultList);
      show(ui.results, false);
      ui.status.textContent = "The search did not complete.";
      showProblem(ui.searchProblem, reply, "Search");
      return;
    }
    renderResults(reply.body, reply.requestId);
    if (askAvailable) ask(query, token, mine);
    else show(ui.answerNote, true);
  }

  function renderResults(body, requestId) {
    const results = body.results;
    clear(ui.resultList);
    for (const result of results) {
      ui.resultList.append(renderResult(result));
    }
    ui.requestId.textContent = requestId || "(none)";
    const ms = body.stats && typeof body.stats.ms === "number" ? " in " + body.stats.ms + " ms" : "";
    ui.status.textContent =
      results.length === 0
        ? "No documents you may read match this search."
        : results.length + (results.length === 1 ? " result" : " results") + ms + ".";
    show(ui.results, true);
  }

  function renderResult(result) {
    const item = el("li", "result");
    const title = typeof result.title === "string" && result.title.trim() ? result.title : "(untitled)";
    item.append(el("h3", "result-title", title));
    if (typeof result.source === "string" && result.source) {
      item.append(sourceLine(result.source));
    }
    const text = typeof result.text === "string" ? result.text.replace(/\s+/g, " ").trim() : "";
    const snippet = text.length > SNIPPET_CHARS ? text.slice(0, SNIPPET_CHARS).trimEnd() + "…" : text;
    item.append(el("p", "snippet", snippet));
    const meta = el("p", "meta");
    meta.append("Document ");
    meta.append(el("code", null, result.documentId));
    if (typeof result.position === "number") meta.append(", part " + (result.position + 1));
    item.append(meta);
    if (typeof result.documentId === "string") {
      item.append(whyControl(result.documentId));
      if (mayAudit()) item.append(accessPanel(result.documentId));
    }
    return item;
  }

  /**
   * Whether the signed-in token carries the scope audit:read. Only decides whether the auditor's
   * panel is offered; the service checks the scope itself and answers 403 without it.
   */
  function mayAudit() {
    const claims = claimsOf(currentToken() || "");
    return !!claims && typeof claims.scope === "string" && claims.scope.split(" ").includes("audit:read");
  }

  /** Steps of a path as one line: "user:alice member group:eng → … → folder:x parent document:y". */
  function pathText(path) {
    const steps = Array.isArray(path) ? path : [];
    return steps.map((s) => s.user + " " + s.relation + " " + s.object).join(" → ");
  }

  /**
   * The auditor's access panel: everyone who may view the document (users, agents, user:* and
   * group sets), each with its shortest path, a page at a time. On demand, like "why".
   */
  function accessPanel(documentId) {
    const box = el("div", "access-panel");
    const button = el("button", "access-button", "Who can see this?");
    button.type = "button";
    const out = el("div", "access-subjects");
    let after = null;
    const more = el("button", "access-more", "More");
    more.type = "button";
    show(more, false);

    async function page() {
      button.disabled = true;
      more.disabled = true;
      const query = "?limit=" + ACCESS_PAGE + (after === null ? "" : "&after=" + encodeURIComponent(after));
      const reply = await call(
        "GET", "v1/documents/" + encodeURIComponent(documentId) + "/access" + query, undefined, currentToken());
      button.disabled = false;
      more.disabled = false;
      if (!reply.ok || !reply.body || !Array.isArray(reply.body.subjects)) {
        out.append(el("p", "why-note", reply.status === 403
          ? "Your token does not carry the scope audit:read."
          : "The readers could not be looked up (status " + reply.status + ")."));
        show(more, false);
        return;
      }
      if (after === null && reply.body.synced === false) {
        out.append(el("p", "why-note", "Access rules changed moments ago; this is what is being applied."));
      }
      const list = el("ul", "access-list");
      for (const subject of reply.body.subjects) {
        const paths = Array.isArray(subject.paths) ? subject.paths : [];
        const item = el("li", "access-subject");
        item.append(el("span", "access-name", String(subject.subject)));
        if (paths.length) item.append(el("span", "why-path", pathText(paths[0])));
        list.append(item);
      }
      out.append(list);
      after = typeof reply.body.next === "string" ? reply.body.next : null;
      show(more, after !== null);
    }

    button.addEventListener("click", () => {
      clear(out);
      after = null;
      page();
    });
    more.addEventListener("click", page);
    box.append(button, out, more);
    return box;
  }

  /**
   * "Why can I see this?": asks the service for the caller's own paths to the document (the same
   * check as reading it; a document no longer visible answers 404) and shows each as a chain of
   * tuples. Shown on demand only, one request per click.
   */
  function whyControl(documentId) {
    const box = el("div", "why");
    const button = el("button", "why-button", "Why can I see this?");
    button.type = "button";
    const out = el("div", "why-paths");
    button.addEventListener("click", async () => {
      button.disabled = true;
      clear(out);
      const reply = await call(
        "GET", "v1/documents/" + encodeURIComponent(documentId) + "/access/explain", undefined, currentToken());
      button.disabled = false;
      if (!reply.ok || !reply.body || !Array.isArray(reply.body.principals)) {
        out.append(el("p", "why-note", reply.status === 404
          ? "You can no longer see this document."
          : "The reason could not be looked up (status " + reply.status + ")."));
        return;
      }
      for (const principal of reply.body.principals) {
        const paths = Array.isArray(principal.paths) ? principal.paths : [];
        out.append(el("p", "why-principal", String(principal.principal) + (paths.length ? "" : ": no recorded path")));
        const list = el("ul", "why-list");
        for (const path of paths) {
          list.append(el("li", "why-path", pathText(path)));
        }
        out.append(list);
      }
    });
    box.append(button, out);
    return box;
  }

  /** A source shown as a link only when it is a web address; anything else stays plain text. */
  function sourceLine(source) {
    const line = el("p", "source");
    line.append(el("span", "label", "Source: "));
    let url = null;
    try {
      const parsed = new URL(source);
      if (parsed.protocol === "https:" || parsed.protocol === "http:") url = parsed.href;
    } catch (e) {
      url = null;
    }
    if (url) {
      const link = el("a", null, source);
      link.href = url;
      link.rel = "noopener noreferrer";
      line.append(link);
    } else {
      line.append(el("span", null, source));
    }
    return line;
  }

  // ---- answering ------------------------------------------------------------------------------

  async function ask(query, token, mine) {
    clear(ui.citations);
    ui.answerText.textContent = "";
    show(ui.answerBody, false);
    show(ui.answerProblem, false);
    ui.answerStatus.textContent = "Writing an answer from the documents you may read…";
    show(ui.answerStatus, true);
    ui.answer.setAttribute("aria-busy", "true");
    show(ui.answer, true);

    const reply = await call("POST", "v1/ask", { query: query }, token);
    if (mine !== generation) return;
    ui.answer.removeAttribute("aria-busy");

    if (!reply.ok && (reply.status === 404 || problemType(reply).endsWith("/llm-not-configured"))) {
      // Answers are optional: without a model the page is a search page, and says so quietly.
      askAvailable = false;
      show(ui.answer, false);
      ui.answerNote.textContent = NO_MODEL_NOTE;
      show(ui.answerNote, true);
      return;
    }
    if (!reply.ok || !reply.body || typeof reply.body.answer !== "string") {
      show(ui.answerStatus, false);
      showProblem(ui.answerProblem, reply, "Answer");
      return;
    }
    show(ui.answerStatus, false);
    renderAnswer(reply.body, reply.requestId);
  }

  function renderAnswer(body, headerRequestId) {
    const citations = Array.isArray(body.citations) ? body.citations : [];
    const byNumber = new Map();
    clear(ui.citations);
    for (const citation of citations) {
      if (!citation || typeof citation.number !== "number") continue;
      byNumber.set(citation.number, citation);
      ui.citations.append(renderCitation(citation));
    }

    clear(ui.answerText);
    // The answer refers to its sources as [1], [2]...: each known number becomes a link to its entry.
    const pattern = /\[(\d{1,3})\]/g;
    let last = 0;
    let match;
    while ((match = pattern.exec(body.answer)) !== null) {
      const number = Number(match[1]);
      if (!byNumber.has(number)) continue;
      ui.answerText.append(body.answer.slice(last, match.index));
      const link = el("a", "cite", "[" + number + "]");
      link.href = "#citation-" + number;
      const title = byNumber.get(number).title;
      link.setAttribute("aria-label", "source " + number + (typeof title === "string" ? ": " + title : ""));
      ui.answerText.append(link);
      last = match.index + match[0].length;
    }
    ui.answerText.append(body.answer.slice(last));

    ui.answerModel.textContent = typeof body.model === "string" && body.model ? body.model : "a language model";
    ui.answerRequestId.textContent = headerRequestId || body.requestId || "(none)";
    show(ui.answerBody, true);
  }

  function renderCitation(citation) {
    const item = el("li", "citation");
    item.id = "citation-" + citation.number;
    item.value = citation.number;
    item.tabIndex = -1;
    const title =
      typeof citation.title === "string" && citation.title.trim() ? citation.title : "(untitled)";
    item.append(el("strong", "citation-title", title));
    if (typeof citation.source === "string" && citation.source) item.append(sourceLine(citation.source));
    const meta = el("p", "meta");
    meta.append("Document ");
    meta.append(el("code", null, citation.documentId));
    if (typeof citation.position === "number") meta.append(", part " + (citation.position + 1));
    item.append(meta);
    return item;
  }

  // Following a [n] link moves focus to the source, so keyboard and screen reader users land there.
  ui.answerText.addEventListener("click", (event) => {
    const link = event.target.closest("a.cite");
    if (!link) return;
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.scrollIntoView({ block: "nearest" });
      target.focus();
    }
  });

  // ---- start ----------------------------------------------------------------------------------

  renderSignedIn(Boolean(currentToken()));
  loadDemoUsers();
})();
