// modelmux dashboard: theme, copy buttons, subscription logins, countdowns and the combo editor. Loaded in <head> (not deferred) so the theme applies before paint.
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
