// modelmux dashboard: theme, copy buttons and the combo editor. Loaded in <head> (not deferred) so the theme applies before paint.
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
