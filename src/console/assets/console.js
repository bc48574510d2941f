// The console's client: local times and ages, live status and log over Server-Sent Events, the
// run chart (uPlot) and the Synchronize Software Updates dialog. Plain script, no build step.
(function () {
  'use strict';

  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var body = document.body;

  // "3 h ago", "in 20 min", "just now".
  function relative(ms) {
    var future = ms > 0;
    var s = Math.round(Math.abs(ms) / 1000);
    var text;
    if (s < 45) return future ? 'in a few seconds' : 'just now';
    if (s < 90 * 60) text = Math.round(s / 60) + ' min';
    else if (s < 36 * 3600) text = Math.round(s / 3600) + ' h';
    else text = Math.round(s / 86400) + ' d';
    return future ? 'in ' + text : text + ' ago';
  }

  var dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  var dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  var logTime = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });

  // Every <time datetime> in the viewer's local time zone; "both" adds the age.
  function formatTimes(root) {
    var now = Date.now();
    var times = (root || document).querySelectorAll('time[datetime]');
    for (var i = 0; i < times.length; i++) {
      var el = times[i];
      var t = Date.parse(el.getAttribute('datetime'));
      if (isNaN(t)) continue;
      var format = el.getAttribute('data-format');
      var d = new Date(t);
      if (format === 'date') el.textContent = dateOnly.format(d);
      else if (format === 'log') el.textContent = logTime.format(d);
      else if (format === 'both') {
        el.textContent = dateTime.format(d) + ' (' + relative(t - now) + ')';
      } else el.textContent = dateTime.format(d);
      el.title = d.toISOString();
    }
  }
  formatTimes();
  setInterval(function () { formatTimes(); }, 30000);

  function replaceCard(code, html) {
    var old = document.getElementById('site-' + code);
    if (!old) return;
    var holder = document.createElement('div');
    holder.innerHTML = html;
    var card = holder.firstElementChild;
    old.replaceWith(card);
    formatTimes(card);
  }

  function liveStatus(onSite) {
    var events = new EventSource('/events/status');
    events.addEventListener('site', function (e) {
      var data = JSON.parse(e.data);
      replaceCard(data.code, data.html);
      if (onSite) onSite(data);
    });
    events.addEventListener('reload', function () { location.reload(); });
    return events;
  }

  // The run chart: duration (seconds, right axis) and new / revised / expired updates per run.
  function drawChart() {
    var holder = document.getElementById('history-chart');
    var dataEl = document.getElementById('history-data');
    if (!holder || !dataEl || typeof uPlot === 'undefined') return;
    var d = JSON.parse(dataEl.textContent);
    holder.innerHTML = '';
    var width = Math.max(320, holder.clientWidth || 800);
    new uPlot({
      width: width,
      height: 220,
      scales: { x: { time: true }, n: { auto: true }, s: { auto: true } },
      series: [
        {},
        { label: 'New', scale: 'n', stroke: '#2e7d32', width: 2, points: { show: true, size: 6 } },
        { label: 'Revised', scale: 'n', stroke: '#1565c0', width: 2, points: { show: true, size: 6 } },
        { label: 'Expired', scale: 'n', stroke: '#8d6e63', width: 2, points: { show: true, size: 6 } },
        { label: 'Duration (s)', scale: 's', stroke: '#ef6c00', width: 2, dash: [6, 4], points: { show: true, size: 6 } }
      ],
      axes: [{}, { scale: 'n', label: 'updates' }, { scale: 's', side: 1, label: 'seconds', grid: { show: false } }]
    }, [d.time, d.new, d.revised, d.expired, d.duration], holder);
  }

  function refreshHistory(code) {
    fetch('/sites/' + encodeURIComponent(code) + '/history', { headers: { Accept: 'text/html' } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(new Error(r.status)); })
      .then(function (html) {
        var section = document.getElementById('history-section');
        section.innerHTML = html;
        formatTimes(section);
        drawChart();
      })
      .catch(function () { /* the next change tries again */ });
  }

  function syncDialog(code) {
    var button = document.getElementById('sync-button');
    var dialog = document.getElementById('sync-dialog');
    if (!button || !dialog) return;
    var error = dialog.querySelector('.dialog-error');
    var message = document.getElementById('sync-message');
    button.addEventListener('click', function () {
      error.hidden = true;
      dialog.showModal();
    });
    document.getElementById('sync-no').addEventListener('click', function () { dialog.close(); });
    document.getElementById('sync-yes').addEventListener('click', function () {
      var full = dialog.querySelector('input[name="kind"]:checked').value === 'full';
      fetch('/sites/' + encodeURIComponent(code) + '/sync', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf, Accept: 'application/json' },
        body: JSON.stringify({ full: full }),
        credentials: 'same-origin'
      })
        .then(function (r) {
          return r.json().then(function (answer) { return { ok: r.ok, answer: answer }; });
        })
        .then(function (result) {
          if (!result.ok) {
            error.textContent = result.answer.error ? result.answer.error.message : 'The request failed';
            error.hidden = false;
            return;
          }
          dialog.close();
          var a = result.answer;
          message.textContent = (a.FullSync ? 'Full' : 'Delta') + ' synchronization of ' + a.SiteCode + ' requested' +
            (a.QueuedBehindRun ? '; it runs after run ' + a.QueuedBehindRun + ' ends.' : '; the service starts it now.');
          message.hidden = false;
        })
        .catch(function (e) {
          error.textContent = 'The request failed: ' + e.message;
          error.hidden = false;
        });
    });
  }

  function logView(code) {
    var table = document.getElementById('log');
    var rows = document.getElementById('log-rows');
    var filter = document.getElementById('log-filter');
    var follow = document.getElementById('log-follow');
    var count = document.getElementById('log-count');
    var wrap = document.getElementById('log-wrap');
    function apply(list) {
      var needle = filter.value.trim().toLowerCase();
      for (var i = 0; i < list.length; i++) {
        var row = list[i];
        if (row.classList.contains('file-mark')) continue;
        row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) < 0;
      }
      var all = rows.querySelectorAll('tr:not(.file-mark)');
      var shown = rows.querySelectorAll('tr:not(.file-mark):not([hidden])');
      count.textContent = needle === '' ? all.length + ' entries' : shown.length + ' of ' + all.length + ' entries match';
    }
    function toBottom() { if (follow.checked) wrap.scrollTop = wrap.scrollHeight; }
    filter.addEventListener('input', function () {
      apply(rows.children);
      var url = new URL(location.href);
      if (filter.value) url.searchParams.set('q', filter.value); else url.searchParams.delete('q');
      history.replaceState(null, '', url);
    });
    follow.addEventListener('change', toBottom);
    apply(rows.children);
    toBottom();
    var source = '/events/sites/' + encodeURIComponent(code) + '/log?ino=' + table.getAttribute('data-ino') + '&offset=' + table.getAttribute('data-offset');
    var events = new EventSource(source);
    events.addEventListener('entries', function (e) {
      var data = JSON.parse(e.data);
      var holder = document.createElement('tbody');
      holder.innerHTML = data.html;
      var added = Array.prototype.slice.call(holder.children);
      for (var i = 0; i < added.length; i++) rows.appendChild(added[i]);
      formatTimes(rows);
      apply(added);
      toBottom();
      table.setAttribute('data-ino', data.ino);
      table.setAttribute('data-offset', data.offset);
    });
  }

  var page = body.getAttribute('data-page');
  var site = body.getAttribute('data-site');
  if (page === 'status') liveStatus();
  if (page === 'site') {
    drawChart();
    syncDialog(site);
    var lastRun = (document.getElementById('site-' + site) || body).getAttribute('data-last-run');
    var lastHealth = (document.getElementById('site-' + site) || body).getAttribute('data-health');
    liveStatus(function (data) {
      if (data.code !== site) return;
      var run = data.lastRunId === null ? '' : String(data.lastRunId);
      if (run !== lastRun || (lastHealth === 'running' && data.health !== 'running')) refreshHistory(site);
      lastRun = run;
      lastHealth = data.health;
    });
    window.addEventListener('resize', drawChart);
  }
  if (page === 'log') logView(site);
})();
