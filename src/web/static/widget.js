/*
 * returnsbot website widget. Add it to any page with one line:
 *
 *   <script src="https://bot.example.com/widget.js" async></script>
 *
 * Optional attributes on that tag: data-accent="#0b6e4f" (the accent colour), data-locale="es-US"
 * (instead of the browser's language), data-open="true" (open the chat on load). Any element with
 * a `data-returnsbot-open` attribute opens the chat when clicked.
 *
 * No secret is ever in the page: the widget asks the bot server (the origin this script came from)
 * for a token that opens one conversation, keeps {conversationId, token, userId} in localStorage so
 * a reload continues that conversation (the token is refreshed on load), and starts a new one when
 * the old token is no longer accepted. Web Chat's bundle and the widget's CSS are loaded from the
 * same server only when the chat is opened. Served by src/web/index.ts, which fills in ASSETS.
 */
(function () {
  'use strict';
  var ASSETS = __RETURNSBOT_ASSETS__;
  if (window.ReturnsBot && window.ReturnsBot.version) return;

  var script = document.currentScript || document.querySelector('script[src*="/widget.js"]');
  var botOrigin = new URL(script ? script.src : '/', location.href).origin;
  var nonce = (script && (script.nonce || script.getAttribute('nonce'))) || undefined;
  var attr = function (name) {
    return (script && script.getAttribute(name)) || '';
  };
  var accent = /^#[0-9a-fA-F]{3,8}$/.test(attr('data-accent')) ? attr('data-accent') : '#0b6e4f';
  var locale = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(attr('data-locale')) ? attr('data-locale') : navigator.language || 'en-GB';
  var STORAGE_KEY = 'returnsbot:' + botOrigin;

  var store = {
    get: function (area) {
      try {
        return JSON.parse(window[area].getItem(STORAGE_KEY) || 'null');
      } catch {
        return null;
      }
    },
    set: function (area, value) {
      try {
        if (value === null) window[area].removeItem(STORAGE_KEY);
        else window[area].setItem(STORAGE_KEY, JSON.stringify(value));
      } catch {
        // storage may be off (private mode): the conversation then lasts as long as the page
      }
    },
  };

  function request(method, path, options) {
    options = options || {};
    var headers = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = 'Bearer ' + options.token;
    return fetch(botOrigin + path, {
      method: method,
      headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: 'omit',
      mode: 'cors',
      cache: 'no-store',
    }).then(function (res) {
      if (!res.ok) {
        var err = new Error('HTTP ' + res.status);
        err.status = res.status;
        throw err;
      }
      return res.json();
    });
  }

  var strings = null;
  function s(key) {
    return (strings && strings[key]) || key;
  }

  function el(tag, className, attrs) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    return node;
  }

  var ICONS = {
    chat: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>',
    person: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0z"/></svg>',
    close: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>',
    down: '<svg class="rb-icon-down" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 9l6 6 6-6"/></svg>',
  };

  var ui = {};
  var state = { open: false, started: false, webChatStore: null, refreshTimer: null };

  function build() {
    var root = el('div', 'rb-root');
    root.style.setProperty('--rb-accent', accent);

    // Closed, the launcher is named by the words it shows; open, it is an icon that closes the chat.
    ui.launcher = el('button', 'rb-launcher', { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'rb-panel', title: s('widget.launcher.label') });
    ui.launcher.innerHTML = ICONS.chat + ICONS.down;
    var label = el('span', 'rb-launcher-text');
    label.textContent = s('widget.launcher');
    ui.launcher.appendChild(label);
    ui.launcher.addEventListener('click', function () {
      setOpen(!state.open);
    });

    ui.panel = el('section', 'rb-panel', { id: 'rb-panel', role: 'dialog', 'aria-label': s('widget.title'), lang: strings.locale || locale });
    ui.panel.hidden = true;

    var header = (ui.header = el('header', 'rb-header'));
    var titles = el('div', 'rb-titles');
    var title = (ui.title = el('h2', 'rb-title'));
    title.textContent = s('widget.title');
    var subtitle = el('p', 'rb-subtitle');
    subtitle.textContent = s('widget.subtitle');
    titles.appendChild(title);
    titles.appendChild(subtitle);

    ui.human = el('button', 'rb-human', { type: 'button' });
    ui.human.innerHTML = ICONS.person;
    var humanText = el('span');
    humanText.textContent = s('widget.human');
    ui.human.appendChild(humanText);
    ui.human.disabled = true;
    ui.human.addEventListener('click', talkToPerson);

    var close = el('button', 'rb-close', { type: 'button', 'aria-label': s('widget.close'), title: s('widget.close') });
    close.innerHTML = ICONS.close;
    close.addEventListener('click', function () {
      setOpen(false);
      ui.launcher.focus();
    });

    header.appendChild(titles);
    header.appendChild(ui.human);
    header.appendChild(close);

    ui.status = el('div', 'rb-status', { role: 'status' });
    ui.chat = el('div', 'rb-chat');

    ui.panel.appendChild(header);
    ui.panel.appendChild(ui.status);
    ui.panel.appendChild(ui.chat);
    root.appendChild(ui.panel);
    root.appendChild(ui.launcher);
    document.body.appendChild(root);
    // Room at the end of the page, so that its last lines can scroll clear of the launcher.
    document.body.appendChild(el('div', 'rb-spacer', { 'aria-hidden': 'true' }));
    window.addEventListener('resize', fitHeader);

    document.addEventListener('click', function (event) {
      var target = event.target && event.target.closest ? event.target.closest('[data-returnsbot-open]') : null;
      if (target) {
        event.preventDefault();
        setOpen(true);
      }
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && state.open && ui.panel.contains(document.activeElement)) {
        setOpen(false);
        ui.launcher.focus();
      }
    });
  }

  function setStatus(text, retry) {
    ui.status.textContent = text || '';
    ui.status.classList.toggle('rb-status--error', !!retry);
    if (retry) {
      var button = el('button', 'rb-retry', { type: 'button' });
      button.textContent = s('widget.retry');
      button.addEventListener('click', function () {
        state.started = false;
        start();
      });
      ui.status.appendChild(document.createTextNode(' '));
      ui.status.appendChild(button);
    }
    ui.status.hidden = !text;
  }

  /** The header on one line when its words fit, else the title (and close) above "Talk to a person". */
  function fitHeader() {
    if (!state.open || !ui.header) return;
    ui.header.classList.remove('rb-header--stacked');
    if (ui.title.scrollWidth > ui.title.clientWidth + 1) ui.header.classList.add('rb-header--stacked');
  }

  function setOpen(open) {
    state.open = open;
    ui.panel.hidden = !open;
    ui.launcher.setAttribute('aria-expanded', String(open));
    if (open) ui.launcher.setAttribute('aria-label', s('widget.close'));
    else ui.launcher.removeAttribute('aria-label');
    ui.launcher.setAttribute('title', open ? s('widget.close') : s('widget.launcher.label'));
    ui.launcher.classList.toggle('rb-launcher--open', open);
    fitHeader();
    store.set('sessionStorage', open ? { open: true } : null);
    if (open) {
      start();
      var input = ui.chat.querySelector('textarea, input[type="text"]');
      if (input) input.focus();
    }
  }

  function loadAsset(tag, url) {
    return new Promise(function (resolve, reject) {
      var node = tag === 'script' ? el('script', '', { src: url, async: '' }) : el('link', '', { rel: 'stylesheet', href: url });
      if (nonce) node.nonce = nonce;
      node.onload = resolve;
      node.onerror = function () {
        reject(new Error('could not load ' + url));
      };
      document.head.appendChild(node);
    });
  }

  var webChatLoaded = null;
  function loadWebChat() {
    if (!webChatLoaded) {
      webChatLoaded = window.WebChat ? Promise.resolve() : loadAsset('script', botOrigin + ASSETS.webchat);
      webChatLoaded.catch(function () {
        webChatLoaded = null;
      });
    }
    return webChatLoaded;
  }

  /** The saved conversation with a fresh token, or a new conversation when it is gone. */
  function session() {
    var saved = store.get('localStorage');
    var fresh = function () {
      return request('POST', '/api/widget/token', { body: { locale: locale } }).then(function (r) {
        var next = { conversationId: r.conversationId, token: r.token, userId: r.userId, expiresIn: r.expires_in };
        store.set('localStorage', next);
        return next;
      });
    };
    if (!saved || !saved.conversationId || !saved.token || !saved.userId) return fresh();
    return request('POST', '/v3/directline/tokens/refresh', { token: saved.token }).then(
      function (r) {
        if (r.conversationId !== saved.conversationId) return fresh();
        var next = { conversationId: saved.conversationId, token: r.token, userId: saved.userId, expiresIn: r.expires_in };
        store.set('localStorage', next);
        return next;
      },
      function (err) {
        // The token is no longer accepted (expired, or the server's key changed): a new conversation.
        if (err.status === 401 || err.status === 403 || err.status === 404) return fresh();
        throw err;
      },
    );
  }

  /** Keep the saved token fresh, so a reload later still continues the conversation. */
  function keepFresh(expiresIn) {
    clearInterval(state.refreshTimer);
    var every = Math.max(30, Math.min(600, Math.floor((expiresIn || 1800) / 2))) * 1000;
    state.refreshTimer = setInterval(function () {
      var saved = store.get('localStorage');
      if (!saved || !saved.token) return;
      request('POST', '/v3/directline/tokens/refresh', { token: saved.token }).then(
        function (r) {
          if (r.conversationId === saved.conversationId) store.set('localStorage', Object.assign({}, saved, { token: r.token }));
        },
        function () {
          // tried again next time; a reload starts a new conversation if it has really expired
        },
      );
    }, every);
  }

  function start() {
    if (state.started) return;
    state.started = true;
    setStatus(s('widget.connecting'));
    Promise.all([session(), loadWebChat()])
      .then(function (results) {
        render(results[0]);
        setStatus('');
      })
      .catch(function () {
        state.started = false;
        setStatus(s('widget.error'), true);
      });
  }

  function render(conversation) {
    var WebChat = window.WebChat;
    var directLine = WebChat.createDirectLine({
      domain: botOrigin + '/v3/directline',
      token: conversation.token,
      conversationId: conversation.conversationId,
      webSocket: true,
    });
    state.webChatStore = WebChat.createStore();
    ui.chat.textContent = '';
    WebChat.renderWebChat(
      {
        directLine: directLine,
        store: state.webChatStore,
        userID: conversation.userId,
        locale: locale,
        nonce: nonce,
        overrideLocalizedStrings: {
          TEXT_INPUT_PLACEHOLDER: s('widget.input.placeholder'),
          TEXT_INPUT_SEND_BUTTON_ALT: s('widget.input.send'),
          TEXT_INPUT_UPLOAD_BUTTON_ALT: s('widget.input.upload'),
        },
        styleOptions: {
          accent: accent,
          primaryFont: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
          backgroundColor: '#f6f7f9',
          paddingRegular: 10,
          bubbleBackground: '#ffffff',
          bubbleBorderColor: '#e3e6ea',
          bubbleBorderRadius: 14,
          bubbleNubSize: 0,
          bubbleFromUserBackground: accent,
          bubbleFromUserBorderColor: accent,
          bubbleFromUserBorderRadius: 14,
          bubbleFromUserNubSize: 0,
          bubbleFromUserTextColor: '#ffffff',
          bubbleMaxWidth: 300,
          bubbleMinWidth: 60,
          bubbleMinHeight: 36,
          hideUploadButton: false,
          uploadAccept: 'image/*',
          uploadMultiple: true,
          sendAttachmentOn: 'attach',
          sendBoxBackground: '#ffffff',
          sendBoxBorderTop: 'solid 1px #e3e6ea',
          sendBoxButtonColorOnHover: accent,
          suggestedActionLayout: 'flow',
          suggestedActionBorderRadius: 18,
          suggestedActionBorderColor: accent,
          suggestedActionBorderWidth: 1,
          suggestedActionTextColor: accent,
          suggestedActionBackgroundColor: '#ffffff',
          suggestedActionBackgroundColorOnHover: '#eef6f2',
          suggestedActionHeight: 34,
          suggestedActionsFlowMaxHeight: 130,
          timestampColor: '#6b7280',
          groupTimestamp: 300000,
          transcriptTerminatorBackgroundColor: '#6b7280',
        },
      },
      ui.chat,
    );
    ui.human.disabled = false;
    keepFresh(conversation.expiresIn);
  }

  function talkToPerson() {
    if (!state.webChatStore) return;
    var text = s('widget.human');
    // A messageBack: the bot reads the value (the same event as its own "talk to a person" button),
    // the transcript shows the words.
    state.webChatStore.dispatch({ type: 'WEB_CHAT/SEND_MESSAGE_BACK', payload: { value: { returns: { type: 'HUMAN' } }, text: text, displayText: text } });
  }

  function init() {
    var labels = request('GET', '/widget/strings.json?locale=' + encodeURIComponent(locale)).catch(function () {
      return { locale: locale, strings: {} };
    });
    var css = loadAsset('link', botOrigin + ASSETS.css).catch(function () {});
    Promise.all([labels, css]).then(function (results) {
      var r = results[0];
      strings = Object.assign({ locale: r.locale }, r.strings);
      build();
      var reopen = (store.get('sessionStorage') || {}).open || attr('data-open') === 'true';
      if (reopen) setOpen(true);
    });
  }

  window.ReturnsBot = {
    version: ASSETS.version,
    open: function () {
      if (ui.panel) setOpen(true);
    },
    close: function () {
      if (ui.panel) setOpen(false);
    },
  };

  if (document.body) init();
  else document.addEventListener('DOMContentLoaded', init);
})();
