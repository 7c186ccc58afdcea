/*
 * returnsbot support staff console (served by src/web/agent-console.ts at /agent).
 *
 * Signs in with an access key (sent once to POST /agent/login, never kept: the server answers with
 * an HttpOnly session cookie and a CSRF value held only in this script's memory), then shows the
 * hand-over queue and one conversation at a time from the staff API, live from the server-sent
 * events of /api/agent/events (`changed`, and a `tick` every few seconds). Every call that changes
 * something carries X-CSRF-Token. All text comes from locales/ (GET /agent/strings.json).
 * Everything customers wrote is put in the page as text, never as HTML.
 */
(function () {
  'use strict';

  var REASONS = ['faulty', 'change-of-mind', 'misdescribed', 'transit-damage'];
  var TABS = ['queued', 'active', 'closed'];

  var locale = document.documentElement.lang || 'en-GB';
  var strings = {};
  var state = {
    me: null,
    csrf: null,
    tab: 'queued',
    lists: { queued: [], active: [], closed: [] },
    selected: null,
    view: null,
    events: null,
    retryTimer: null,
    transcript: { id: null, last: 0 },
    rma: null,
  };

  // ---- helpers --------------------------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function t(key, params) {
    var text = strings[key];
    if (text === undefined) return key;
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      return params && params[name] !== undefined && params[name] !== null ? String(params[name]) : m;
    });
  }

  function capitalise(text) {
    return text ? text.charAt(0).toLocaleUpperCase(locale) + text.slice(1) : text;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function formatTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var today = d.toDateString() === new Date().toDateString();
    return new Intl.DateTimeFormat(locale, today ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  }

  function reasonName(reason) {
    return reason ? capitalise(t('reasonName.' + reason)) : t('console.queue.noReason');
  }

  function outcomeName(decision) {
    return decision && decision.outcome ? t('console.outcome.' + decision.outcome) : t('console.outcome.none');
  }

  /** A photo's URL on this server (a Direct Line attachment), or null when it is somewhere else. */
  function localUrl(href) {
    try {
      var url = new URL(href, location.href);
      if (url.origin === location.origin || url.pathname.indexOf('/v3/directline/attachments/') === 0) return url.pathname + url.search;
    } catch {
      // not a URL
    }
    return null;
  }

  function safeHref(href) {
    try {
      var url = new URL(href, location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      return null;
    }
  }

  // ---- the server -----------------------------------------------------------------------------

  function ApiError(status, body) {
    this.status = status;
    this.body = body || {};
  }

  function request(method, path, body) {
    var headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && state.csrf) headers['x-csrf-token'] = state.csrf;
    return fetch(path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    }).then(function (res) {
      return res.text().then(function (text) {
        var json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        return { status: res.status, ok: res.ok, body: json };
      });
    });
  }

  /** A staff API call; a 401 ends the session in the page; a stale CSRF value is renewed once. */
  function api(method, path, body, retried) {
    return request(method, path, body).then(function (r) {
      if (r.status === 401) {
        signedOut(t('console.login.expired'));
        throw new ApiError(401, r.body);
      }
      if (r.status === 403 && r.body && r.body.error === 'csrf' && !retried) {
        return request('GET', '/api/agent/me').then(function (me) {
          if (!me.ok || !me.body || !me.body.csrf) throw new ApiError(r.status, r.body);
          state.csrf = me.body.csrf;
          return api(method, path, body, true);
        });
      }
      if (!r.ok) throw new ApiError(r.status, r.body);
      return r.body;
    });
  }

  // ---- signing in and out ---------------------------------------------------------------------

  function showLogin(message) {
    show($('app'), false);
    show($('session'), false);
    show($('login-view'), true);
    var error = $('login-error');
    error.textContent = message || '';
    show(error, !!message);
    $('login-key').focus();
  }

  function signedIn(me) {
    state.me = { name: me.agent, displayName: me.displayName };
    state.csrf = me.csrf;
    $('me').textContent = t('console.signedInAs', { name: me.displayName });
    show($('login-view'), false);
    show($('session'), true);
    show($('app'), true);
    selectTab(state.tab);
    connect();
    refresh();
  }

  function signedOut(message) {
    if (state.events) state.events.close();
    clearTimeout(state.retryTimer);
    state.me = null;
    state.csrf = null;
    state.events = null;
    state.lists = { queued: [], active: [], closed: [] };
    state.selected = null;
    state.view = null;
    state.rma = null;
    state.transcript = { id: null, last: 0 };
    // Nothing of any conversation stays in the page.
    ['queue-list', 'transcript-lines', 'summary', 'decision', 'audit'].forEach(function (id) {
      clear($(id));
    });
    TABS.forEach(function (tab) {
      $('count-' + tab).textContent = '0';
    });
    $('conv-title').textContent = '';
    $('conv-sub').textContent = '';
    $('composer-text').value = '';
    $('rma-note').value = '';
    show($('conversation'), false);
    show($('placeholder'), true);
    setLive(false);
    showLogin(message);
  }

  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = $('login-key');
    var key = input.value.trim();
    // The key goes to the server once and is not kept anywhere in the page.
    input.value = '';
    if (!key) {
      showLogin(t('console.login.invalid'));
      return;
    }
    var button = $('login-submit');
    button.disabled = true;
    request('POST', '/agent/login', { key: key })
      .then(function (r) {
        if (r.ok && r.body && r.body.csrf) signedIn(r.body);
        else showLogin(r.status === 401 ? t('console.login.invalid') : t('console.login.failed'));
      })
      .catch(function () {
        showLogin(t('console.login.failed'));
      })
      .then(function () {
        button.disabled = false;
      });
  });

  $('logout').addEventListener('click', function () {
    request('POST', '/agent/logout', {})
      .catch(function () {
        // the cookie is cleared by the server; the page forgets everything either way
      })
      .then(function () {
        signedOut(null);
      });
  });

  // ---- live updates ---------------------------------------------------------------------------

  function setLive(on) {
    $('live').setAttribute('data-state', on ? 'on' : 'off');
    $('live-text').textContent = on ? t('console.live') : t('console.offline');
  }

  function connect() {
    if (state.events) state.events.close();
    clearTimeout(state.retryTimer);
    var events = new EventSource('/api/agent/events');
    state.events = events;
    events.addEventListener('open', function () {
      setLive(true);
    });
    events.addEventListener('changed', function () {
      refresh();
    });
    events.addEventListener('tick', function () {
      refresh();
    });
    events.addEventListener('error', function () {
      if (state.events !== events) return;
      setLive(false);
      if (events.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
      // Refused (signed out, key revoked) or the server went away: find out which.
      request('GET', '/api/agent/me').then(
        function (r) {
          if (state.events !== events) return;
          if (r.status === 401) signedOut(t('console.login.expired'));
          else state.retryTimer = setTimeout(connect, 3000);
        },
        function () {
          if (state.events === events) state.retryTimer = setTimeout(connect, 3000);
        },
      );
    });
  }

  var refreshing = null;
  var refreshAgain = false;

  /** Reload the queue and the open conversation (coalesced: one at a time, once more if asked meanwhile). */
  function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (function loop() {
      refreshAgain = false;
      return load().then(function () {
        if (refreshAgain && state.me) return loop();
        return undefined;
      });
    })()
      .catch(function () {
        // shown where it matters (a 401 signs out); the next event or tick tries again
      })
      .then(function () {
        refreshing = null;
      });
    return refreshing;
  }

  function load() {
    if (!state.me) return Promise.resolve();
    var lists = TABS.map(function (tab) {
      return api('GET', '/api/agent/conversations?status=' + tab);
    });
    var selected = state.selected;
    var detail = selected
      ? api('GET', '/api/agent/conversations/' + encodeURIComponent(selected)).catch(function (error) {
          // Gone (not found): the conversation view closes; anything else waits for the next refresh.
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        })
      : Promise.resolve(null);
    return Promise.all(lists.concat([detail])).then(function (results) {
      if (!state.me) return;
      TABS.forEach(function (tab, i) {
        state.lists[tab] = sortList(tab, results[i].conversations || []);
      });
      renderQueue();
      if (selected && selected === state.selected) {
        state.view = results[3];
        if (!state.view) state.selected = null;
        renderConversation();
      }
    });
  }

  function sortList(tab, list) {
    var key = tab === 'queued' ? 'queuedAt' : tab === 'active' ? 'takenAt' : 'endedAt';
    return list.slice().sort(function (a, b) {
      if (tab === 'queued' && a.position && b.position) return a.position - b.position;
      var x = a[key] || '';
      var y = b[key] || '';
      return tab === 'closed' ? (y < x ? -1 : y > x ? 1 : 0) : x < y ? -1 : x > y ? 1 : 0;
    });
  }

  // ---- the queue ------------------------------------------------------------------------------

  function selectTab(tab) {
    state.tab = tab;
    TABS.forEach(function (name) {
      var button = $('tab-' + name);
      button.setAttribute('aria-selected', String(name === tab));
      button.tabIndex = name === tab ? 0 : -1;
    });
    $('queue').setAttribute('aria-labelledby', 'tab-' + tab);
    renderQueue();
  }

  TABS.forEach(function (tab) {
    $('tab-' + tab).addEventListener('click', function () {
      selectTab(tab);
    });
  });

  function renderQueue() {
    var list = $('queue-list');
    clear(list);
    TABS.forEach(function (tab) {
      $('count-' + tab).textContent = String(state.lists[tab].length);
    });
    var items = state.lists[state.tab];
    var empty = $('queue-empty');
    empty.textContent = t('console.queue.empty.' + state.tab);
    show(empty, items.length === 0);
    items.forEach(function (c) {
      var s = c.summary || {};
      var li = el('li');
      var button = el('button', 'queue-item');
      button.type = 'button';
      if (c.id === state.selected) button.setAttribute('aria-current', 'true');

      var top = el('span', 'qi-top');
      top.appendChild(el('span', 'qi-order', s.orderNumber || t('console.queue.noOrder')));
      if (c.status === 'queued' && c.position) top.appendChild(el('span', 'pill pill-queue', t('console.queue.position', { position: c.position })));
      else top.appendChild(el('span', 'pill pill-' + c.status, t('console.status.' + c.status)));
      button.appendChild(top);

      button.appendChild(el('span', 'qi-line', (s.item ? s.item.name : t('console.queue.noItem')) + ' · ' + reasonName(s.reason)));

      var meta = el('span', 'qi-meta');
      meta.appendChild(el('span', 'outcome outcome-' + ((s.decision && s.decision.outcome) || 'none'), t('console.outcome.bot', { outcome: outcomeName(s.decision) })));
      var when =
        c.status === 'queued'
          ? t('console.queue.since', { time: formatTime(c.queuedAt) })
          : c.status === 'active'
            ? t('console.queue.heldBy', { agent: c.agent || '' })
            : t('console.queue.ended', { time: formatTime(c.endedAt || c.queuedAt) });
      meta.appendChild(el('span', 'qi-when', when));
      button.appendChild(meta);

      button.addEventListener('click', function () {
        open(c.id);
      });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  // ---- one conversation -----------------------------------------------------------------------

  function open(id) {
    if (state.selected !== id) {
      state.selected = id;
      state.view = null;
      state.rma = null;
      state.transcript = { id: null, last: 0 };
      $('composer-text').value = '';
      $('rma-note').value = '';
      show($('rma-result'), false);
      setError(null);
    }
    renderQueue();
    return refresh();
  }

  function mine(view) {
    return !!(view && state.me && view.status === 'active' && view.agent === state.me.name);
  }

  function setError(message) {
    var node = $('conv-error');
    node.textContent = message || '';
    show(node, !!message);
  }

  function explain(error) {
    var body = (error && error.body) || {};
    if (body.error === 'held') return t('console.heldBy', { agent: body.holder || '' });
    if (body.error === 'ended') return t('console.ended');
    if (body.error === 'not-taken') return t('console.error.notTaken');
    if (body.error === 'incomplete' && body.field === 'orderNumber') return t('console.error.needOrder');
    if (body.error === 'incomplete' && body.field === 'sku') return t('console.error.needSku');
    if (body.error === 'incomplete') return t('console.error.incomplete');
    if (body.error === 'unknown-order') return t('console.error.unknownOrder');
    if (body.error === 'unknown-sku') return t('console.error.unknownSku');
    if (body.error === 'order-mismatch') return t('console.error.orderMismatch');
    if (body.error === 'bad-request' && body.message) return t('console.error.badField', { problem: body.message });
    if (body.error === 'not-found') return t('console.error.notFound');
    return t('console.error.generic');
  }

  function lastRma(view) {
    var audit = view.audit || [];
    for (var i = audit.length - 1; i >= 0; i--) {
      if (audit[i].action === 'rma.issued' && audit[i].data && audit[i].data.rma) return audit[i].data.rma;
    }
    return (view.summary && view.summary.rma) || null;
  }

  function renderConversation() {
    var view = state.view;
    show($('placeholder'), !view);
    show($('conversation'), !!view);
    if (!view) return;
    var s = view.summary || {};
    var held = mine(view);

    $('conv-title').textContent = (s.orderNumber || t('console.queue.noOrder')) + ' · ' + (s.item ? s.item.name : t('console.queue.noItem'));
    var sub = $('conv-sub');
    clear(sub);
    sub.appendChild(el('span', 'pill pill-' + view.status, t('console.status.' + view.status)));
    if (view.status === 'queued' && view.position) sub.appendChild(el('span', 'pill pill-queue', t('console.queue.position', { position: view.position })));
    sub.appendChild(el('span', 'conv-why', t('console.why.' + view.reason)));
    sub.appendChild(el('span', 'conv-when', t('console.queue.since', { time: formatTime(view.queuedAt) })));

    show($('act-take'), view.status === 'queued');
    show($('act-release'), held);
    show($('act-close'), held);

    var notice = view.status === 'queued' ? t('console.takeHint') : view.status === 'active' ? (held ? t('console.youHave') : t('console.heldBy', { agent: view.agent || '' })) : t('console.ended');
    $('conv-notice').textContent = notice;
    $('conv-notice').setAttribute('data-kind', held ? 'mine' : view.status);

    $('composer-text').disabled = !held;
    $('composer-send').disabled = !held;

    renderSummary(view);
    renderDecision(s.decision);
    renderRmaForm(view, held);
    renderTranscript(view);
    renderAudit(view.audit || []);
  }

  function row(list, label, value) {
    list.appendChild(el('dt', '', label));
    var dd = el('dd');
    if (value instanceof Node) dd.appendChild(value);
    else dd.textContent = value;
    list.appendChild(dd);
    return dd;
  }

  function factValue(field, value) {
    if (value === true) return t('console.yes');
    if (value === false) return t('console.no');
    if (field === 'faultCause' && typeof value === 'string') return capitalise(t('faultCauseName.' + value));
    return String(value);
  }

  function renderSummary(view) {
    var s = view.summary || {};
    var list = $('summary');
    clear(list);
    var order = el('span', '', s.orderNumber || t('console.queue.noOrder'));
    if (s.orderNumber) {
      var frag = document.createDocumentFragment();
      frag.appendChild(order);
      frag.appendChild(el('span', s.verified ? 'tag tag-ok' : 'tag tag-warn', s.verified ? t('console.summary.verified') : t('console.summary.unverified')));
      row(list, t('console.summary.order'), frag);
    } else row(list, t('console.summary.order'), order);
    row(list, t('console.summary.item'), s.item ? s.item.name + ' (' + s.item.sku + ')' : t('console.queue.noItem'));
    row(list, t('console.summary.reason'), reasonName(s.reason));
    // Where each fact of the bot's decision came from (the order, the customer, staff).
    var sources = (s.decision && s.decision.sources) || {};
    if (s.deliveredOn) {
      var delivered = document.createDocumentFragment();
      delivered.appendChild(el('span', '', new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(s.deliveredOn + 'T00:00:00Z'))));
      if (sources.deliveredOn) delivered.appendChild(el('span', sources.deliveredOn === 'order' ? 'tag' : 'tag tag-warn', t('console.source.' + sources.deliveredOn)));
      row(list, t('console.summary.delivered'), delivered);
    }
    row(list, t('console.summary.why'), t('console.why.' + view.reason));
    var facts = s.facts || {};
    var names = Object.keys(facts);
    if (names.length) {
      var ul = el('ul', 'fact-list');
      names.forEach(function (name) {
        var li = el('li');
        li.appendChild(el('span', 'fact-name', t('console.fact.' + name) === 'console.fact.' + name ? name : t('console.fact.' + name)));
        li.appendChild(el('span', 'fact-value', factValue(name, facts[name])));
        if (sources[name]) li.appendChild(el('span', 'tag', t('console.source.' + sources[name])));
        ul.appendChild(li);
      });
      row(list, t('console.summary.facts'), ul);
    } else row(list, t('console.summary.facts'), t('console.summary.noFacts'));
    var rma = state.rma || lastRma(view);
    if (rma) row(list, t('console.summary.rma'), el('strong', 'rma-number', rma));
  }

  /**
   * Ids as chips that wrap between one another. An id longer than the line may break after a
   * slash (`uk-online/<wbr>faulty/<wbr>…`), never inside a word or at a hyphen.
   */
  function chips(values, className) {
    var ul = el('ul', 'chips');
    values.forEach(function (v) {
      var li = el('li');
      var code = el('code', className);
      String(v)
        .split('/')
        .forEach(function (segment, i, all) {
          code.appendChild(el('span', 'chip-part', i < all.length - 1 ? segment + '/' : segment));
          if (i < all.length - 1) code.appendChild(document.createElement('wbr'));
        });
      li.appendChild(code);
      ul.appendChild(li);
    });
    return ul;
  }

  function renderDecision(decision) {
    var box = $('decision');
    clear(box);
    var head = el('p', 'decision-head');
    head.appendChild(el('span', 'outcome outcome-' + ((decision && decision.outcome) || 'none'), outcomeName(decision)));
    if (decision && decision.policy) head.appendChild(el('span', 'muted', t('console.summary.policy', { policy: decision.policy, version: decision.policyVersion })));
    box.appendChild(head);
    if (!decision) return;
    var list = el('dl', 'facts');
    var codes = (decision.reasons || []).map(function (r) {
      return r.code;
    });
    if (codes.length) row(list, t('console.summary.codes'), chips(codes, 'code'));
    if ((decision.clauses || []).length) row(list, t('console.summary.clauses'), chips(decision.clauses, 'clause'));
    if ((decision.remedies || []).length) {
      row(
        list,
        t('console.summary.remedies'),
        decision.remedies
          .map(function (r) {
            return t('console.remedy.' + r);
          })
          .join(', '),
      );
    }
    if ((decision.needs || []).length) {
      row(
        list,
        t('console.summary.needs'),
        decision.needs
          .map(function (n) {
            return t('console.fact.' + n);
          })
          .join(', '),
      );
    }
    box.appendChild(list);
  }

  function renderRmaForm(view, held) {
    var s = view.summary || {};
    var select = $('rma-reason');
    var current = select.getAttribute('data-for') === view.id ? select.value : null;
    if (select.getAttribute('data-for') !== view.id || !select.options.length) {
      clear(select);
      if (!s.reason) {
        var choose = el('option', '', t('console.rma.chooseReason'));
        choose.value = '';
        select.appendChild(choose);
      }
      REASONS.forEach(function (reason) {
        var option = el('option', '', reasonName(reason));
        option.value = reason;
        select.appendChild(option);
      });
      select.value = current || s.reason || '';
      select.setAttribute('data-for', view.id);
    }
    // Without an order the bot verified, staff give the order line and vouch for the customer.
    var vouch = !s.verified;
    show($('rma-vouch'), vouch);
    if (select.getAttribute('data-vouch-for') !== view.id) {
      $('rma-order').value = (vouch && s.orderNumber) || '';
      $('rma-sku').value = '';
      select.setAttribute('data-vouch-for', view.id);
    }
    var possible = held && (vouch || !!s.item);
    ['rma-remedy', 'rma-reason', 'rma-note', 'rma-submit', 'rma-order', 'rma-sku'].forEach(function (id) {
      $(id).disabled = !possible;
    });
    show($('rma-panel'), view.status === 'active' || !!state.rma);
  }

  function renderTranscript(view) {
    // The log scrolls (and takes the keyboard's focus to scroll); the list inside holds the lines.
    var box = $('transcript');
    var list = $('transcript-lines');
    var lines = view.transcript || [];
    var nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    var fresh = state.transcript.id !== view.id;
    if (fresh) {
      clear(list);
      state.transcript = { id: view.id, last: 0 };
    }
    lines.forEach(function (line) {
      if (line.seq <= state.transcript.last) return;
      list.appendChild(transcriptLine(line));
      state.transcript.last = line.seq;
    });
    if (fresh || nearBottom) box.scrollTop = box.scrollHeight;
  }

  function transcriptLine(line) {
    var li = el('li', 'line line-' + line.role);
    var head = el('div', 'line-head');
    var who = line.role === 'agent' ? line.name || t('console.role.agent') : t('console.role.' + line.role);
    head.appendChild(el('span', 'line-who', who));
    head.appendChild(el('time', 'line-time', formatTime(line.at)));
    li.appendChild(head);
    var text = line.text || '';
    // A person's message reaches the customer as "Name: text"; the console shows the name above it.
    if (line.role === 'agent' && line.name && text.indexOf(line.name + ': ') === 0) text = text.slice(line.name.length + 2);
    if (text) li.appendChild(el('p', 'line-text', text));
    (line.attachments || []).forEach(function (a) {
      var src = a.contentUrl ? localUrl(a.contentUrl) : null;
      var label = t('console.photo', { name: a.name || '' });
      if (src && /^image\//.test(a.contentType || '')) {
        var link = el('a', 'photo');
        link.href = src;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        var img = el('img');
        img.src = src;
        img.alt = label;
        img.loading = 'lazy';
        link.appendChild(img);
        li.appendChild(link);
      } else if (a.contentUrl && safeHref(a.contentUrl)) {
        var other = el('a', 'attachment', label);
        other.href = safeHref(a.contentUrl);
        other.target = '_blank';
        other.rel = 'noopener noreferrer';
        li.appendChild(other);
      } else {
        li.appendChild(el('span', 'attachment', label));
      }
    });
    return li;
  }

  function renderAudit(entries) {
    var list = $('audit');
    clear(list);
    entries.forEach(function (e) {
      var li = el('li');
      li.appendChild(el('time', 'muted', formatTime(e.at)));
      li.appendChild(el('span', 'audit-actor', String(e.actor).replace(/^agent:/, '')));
      li.appendChild(el('code', '', e.action));
      var extra = [];
      if (e.data && e.data.rma) extra.push(e.data.rma);
      if (e.data && e.data.remedy) extra.push(t('console.remedy.' + e.data.remedy));
      if (e.data && e.data.note) extra.push('“' + e.data.note + '”');
      if (extra.length) li.appendChild(el('span', 'audit-data', extra.join(' · ')));
      list.appendChild(li);
    });
  }

  // ---- actions --------------------------------------------------------------------------------

  function act(button, path, body) {
    var id = state.selected;
    if (!id) return Promise.resolve(null);
    setError(null);
    if (button) button.disabled = true;
    return api('POST', '/api/agent/conversations/' + encodeURIComponent(id) + '/' + path, body)
      .then(
        function (result) {
          return result;
        },
        function (error) {
          if (error instanceof ApiError && error.status !== 401) setError(explain(error));
          return null;
        },
      )
      .then(function (result) {
        if (button) button.disabled = false;
        refresh();
        return result;
      });
  }

  $('act-take').addEventListener('click', function () {
    act($('act-take'), 'take').then(function (r) {
      if (r) selectTab('active');
    });
  });

  $('act-release').addEventListener('click', function () {
    act($('act-release'), 'release').then(function (r) {
      if (r) selectTab('closed');
    });
  });

  $('act-close').addEventListener('click', function () {
    act($('act-close'), 'close').then(function (r) {
      if (r) selectTab('closed');
    });
  });

  function sendMessage() {
    var box = $('composer-text');
    var text = box.value.trim();
    if (!text) return;
    act($('composer-send'), 'messages', { text: text }).then(function (r) {
      if (r) box.value = '';
      box.focus();
    });
  }

  $('composer').addEventListener('submit', function (event) {
    event.preventDefault();
    sendMessage();
  });

  $('composer-text').addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  });

  $('rma-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var reason = $('rma-reason').value;
    if (!reason) {
      setError(t('console.rma.chooseReason'));
      $('rma-reason').focus();
      return;
    }
    var note = $('rma-note').value.trim();
    var forId = state.selected;
    var body = { remedy: $('rma-remedy').value, reason: reason, note: note || null };
    if (!$('rma-vouch').hidden) {
      var orderNumber = $('rma-order').value.trim();
      var sku = $('rma-sku').value.trim();
      if (!orderNumber) {
        setError(t('console.error.needOrder'));
        $('rma-order').focus();
        return;
      }
      body.orderNumber = orderNumber;
      if (sku) body.sku = sku;
    }
    act($('rma-submit'), 'rma', body).then(function (r) {
      if (!r || state.selected !== forId) return;
      state.rma = r.rma;
      $('rma-note').value = '';
      var result = $('rma-result');
      result.textContent = t(r.created ? 'console.rma.issued' : 'console.rma.existing', { rma: r.rma });
      show(result, true);
      if (state.view) renderSummary(state.view);
    });
  });

  // ---- start ----------------------------------------------------------------------------------

  fetch('/agent/strings.json?locale=' + encodeURIComponent(locale), { credentials: 'same-origin' })
    .then(function (res) {
      return res.json();
    })
    .then(function (data) {
      strings = data.strings || {};
      if (data.locale) locale = data.locale;
    })
    .catch(function () {
      strings = {};
    })
    .then(function () {
      // An existing session (a reload) continues without the key. (Always a 200: no error logged.)
      return request('GET', '/agent/session');
    })
    .then(function (r) {
      if (r.ok && r.body && r.body.signedIn && r.body.csrf) signedIn(r.body);
      else showLogin(null);
    })
    .catch(function () {
      showLogin(t('console.login.failed'));
    });
})();
