// modelmux dashboard: theme, copy buttons, subscription logins, the playground's live answer, countdowns and the combo editor. Loaded in <head> (not deferred) so the theme applies before paint.
(function () {
  var root = document.documentElement
  var stored = null
  try { stored = localStorage.getItem('modelmux-theme') } catch (e) {}
  if (stored === 'dark' || stored === 'light') root.dataset.theme = stored

  function currentTheme() {
    if (root.dataset.theme) return root.dataset.theme
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text)
    var area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.style.position = 'fixed'
    area.style.opacity = '0'
    document.body.appendChild(area)
    area.select()
    try { document.execCommand('copy') } finally { area.remove() }
    return Promise.resolve()
  }

  document.addEventListener('click', function (event) {
    var toggle = event.target.closest('[data-theme-toggle]')
    if (toggle) {
      var next = currentTheme() === 'dark' ? 'light' : 'dark'
      root.dataset.theme = next
      try { localStorage.setItem('modelmux-theme', next) } catch (e) {}
      return
    }
    // "Test all" on the Providers page: press every enabled connection's own Test button; each result lands in its card.
    if (event.target.closest('[data-test-all]')) {
      document.querySelectorAll('[data-test-connection]').forEach(function (button) { button.click() })
      return
    }
    var copy = event.target.closest('[data-copy]')
    if (copy) {
      var label = copy.textContent
      copyText(copy.getAttribute('data-copy')).then(function () {
        copy.textContent = 'Copied'
        setTimeout(function () { copy.textContent = label }, 1200)
      }, function () {
        copy.textContent = 'Select and copy by hand'
      })
    }
  })

  // Subscription logins. A browser login opens the provider's page in a new tab: the tab is opened blank on the
  // Connect click (a user gesture, so no popup blocker) and sent to the provider once the server answered.
  var loginWindow = null
  document.addEventListener('submit', function (event) {
    var form = event.target.closest && event.target.closest('form[data-login-window]')
    if (!form) return
    try { loginWindow = window.open('', 'modelmux-login') } catch (e) { loginWindow = null }
    if (loginWindow) { try { loginWindow.opener = null } catch (e) {} }
  }, true)
  window.mmLoginReady = function (link) {
    var target = loginWindow
    loginWindow = null
    if (target && !target.closed) { try { target.location.href = link.href } catch (e) {} }
  }
  window.mmLoginDone = function () {
    if (loginWindow && !loginWindow.closed) { try { loginWindow.close() } catch (e) {} }
    loginWindow = null
  }

  // The playground: a form marked data-live posts to its action + '/live' and shows the answer as it streams
  // (NDJSON lines: {text} / {reasoning} while generating, then {answer, form} as HTML; {form} alone on a refused field).
  // Without this script the form posts normally and the page comes back with the whole answer.
  var liveRun = null
  document.addEventListener('submit', function (event) {
    var form = event.target.closest && event.target.closest('form[data-live]')
    if (!form || !window.ReadableStream || !window.TextDecoder) return
    event.preventDefault()
    if (liveRun) liveRun.abort()
    var run = liveRun = new AbortController()
    var result = document.getElementById(form.getAttribute('data-live'))
    var button = form.querySelector('button[type=submit]')
    if (button) button.disabled = true
    result.innerHTML = '<section class="card" id="playground-answer" aria-live="polite"><div class="card-head"><h2>Answer</h2>' +
      '<span class="muted small-text" data-live-status>waiting for the first output…</span></div>' +
      '<details data-live-reasoning hidden><summary class="muted small-text">Reasoning</summary><pre class="answer"></pre></details>' +
      '<pre class="answer" data-live-text hidden></pre></section>'
    var text = result.querySelector('[data-live-text]')
    var reasoning = result.querySelector('[data-live-reasoning]')
    var status = result.querySelector('[data-live-status]')
    function show(line) {
      if (line.text) { text.hidden = false; text.textContent += line.text; status.textContent = 'streaming…' }
      if (line.reasoning) { reasoning.hidden = false; reasoning.querySelector('pre').textContent += line.reasoning; status.textContent = 'thinking…' }
      if (line.answer !== undefined) result.innerHTML = line.answer
      if (line.form !== undefined) {
        // The form comes last: this run is over, and the new form may start the next one.
        if (liveRun === run) liveRun = null
        form.outerHTML = line.form
        if (line.answer === undefined) result.innerHTML = ''
      }
    }
    var decoder = new TextDecoder()
    var pending = ''
    fetch(form.action + '/live', { method: 'POST', body: new URLSearchParams(new FormData(form)), headers: { 'hx-request': 'true' }, signal: run.signal })
      .then(function (response) {
        if (!response.ok || !response.body) throw new Error('the dashboard answered HTTP ' + response.status)
        var reader = response.body.getReader()
        function next() {
          return reader.read().then(function (chunk) {
            // The user went to another page: stop reading, which also stops the upstream call.
            if (!document.body.contains(result)) { run.abort(); return }
            pending += decoder.decode(chunk.value || new Uint8Array(), { stream: !chunk.done })
            var lines = pending.split('\n')
            pending = lines.pop()
            lines.forEach(function (line) { if (line.trim()) show(JSON.parse(line)) })
            if (!chunk.done) return next()
          })
        }
        return next()
      })
      .catch(function (error) {
        if (run.signal.aborted) return
        var notice = document.createElement('p')
        notice.className = 'notice notice-bad'
        notice.setAttribute('role', 'alert')
        notice.textContent = 'The playground stopped: ' + error.message
        result.appendChild(notice)
      })
      .finally(function () {
        if (liveRun === run) liveRun = null
        var current = document.getElementById(form.id)
        var submit = current && current.querySelector('button[type=submit]')
        if (submit) submit.disabled = false
      })
  })

  // Countdowns ("resets in 3 h", "expires in 9 min") stay current while the page is open.
  function duration(ms) {
    if (ms >= 48 * 3600000) return Math.round(ms / 86400000) + ' d'
    var seconds = Math.max(0, Math.round(ms / 1000))
    if (seconds < 90) return seconds + ' s'
    var minutes = Math.round(seconds / 60)
    if (minutes < 90) return minutes + ' min'
    return Math.round(minutes / 60) + ' h'
  }
  setInterval(function () {
    var now = Date.now()
    document.querySelectorAll('[data-countdown]').forEach(function (element) {
      var at = Number(element.getAttribute('data-countdown'))
      if (at) element.textContent = at >= now ? 'in ' + duration(at - now) : duration(now - at) + ' ago'
    })
  }, 15000)

  // Live widgets stop refreshing while the user reads an attempt trace (an open <details>).
  window.noTraceOpen = function () { return !document.querySelector('#usage-live details[open]') }

  // Ordered model list with drag-to-reorder (mouse), and up/down buttons (keyboard, touch).
  document.addEventListener('alpine:init', function () {
    window.Alpine.data('comboEditor', function (initial) {
      return {
        models: initial.slice(),
        choice: '',
        dragging: null,
        add: function () {
          var value = (this.choice || '').trim()
          if (value && this.models.indexOf(value) === -1) this.models.push(value)
          this.choice = ''
        },
        remove: function (index) { this.models.splice(index, 1) },
        move: function (from, to) {
          if (to < 0 || to >= this.models.length || from === to) return
          var item = this.models.splice(from, 1)[0]
          this.models.splice(to, 0, item)
        },
        dragStart: function (index, event) {
          this.dragging = index
          if (event.dataTransfer) { event.dataTransfer.effectAllowed = 'move'; event.dataTransfer.setData('text/plain', String(index)) }
        },
        drop: function (index) {
          if (this.dragging !== null) this.move(this.dragging, index)
          this.dragging = null
        },
      }
    })
  })
})()
