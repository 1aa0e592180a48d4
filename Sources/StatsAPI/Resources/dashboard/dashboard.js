(function () {
  'use strict';
  var SVGNS = 'http://www.w3.org/2000/svg';
  var STATUSES = [
    { key: 'success', label: 'Success', color: '#1a8a5f' },
    { key: 'failed', label: 'Failed', color: '#d55e00' },
    { key: 'pending', label: 'Pending', color: '#7b8794' }
  ];
  var PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#6a3d9a', '#7f7f7f', '#a6761d', '#1b9e9e', '#b15928', '#4d4d4d'];
  var TYPES = {
    deposits: { label: 'Deposits', lower: 'deposits', view: 'transactions' },
    withdrawals: { label: 'Withdrawals', lower: 'withdrawals', view: 'withdrawals' }
  };
  var CURRENT = '#0b5cad', PREVIOUS = '#8d99a6';
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

  var state = {
    today: null, timezone: null, from: null, to: null, day: null, period: '7d', type: 'deposits', metric: 'count',
    // The currency every read asks for (currency=) and its decimals; amounts are never added
    // across currencies, so the page shows one at a time. null: the server's default.
    currency: null, exponent: 2, currencies: [],
    methods: [], colors: {}, selectedDay: null, selectedHour: null,
    daily: null, hourly: null, compare: null,
    status: { daily: 'idle', hourly: 'idle', compare: 'idle' }
  };
  var tokens = { daily: 0, hourly: 0, compare: 0 };
  var methodsReady = null;

  function $(id) { return document.getElementById(id); }

  // ---- JSON, exactly: every number keeps its decimal text (no binary floating point for money).
  function parseExact(text) {
    return JSON.parse(text, function (key, value, context) {
      if (typeof value === 'number') return context && typeof context.source === 'string' ? context.source : String(value);
      return value;
    });
  }

  // Every statistics read names the chosen currency.
  function withCurrency(path) {
    if (!state.currency || !/^\/(stats|api\/v1\/stats\/)/.test(path)) return path;
    return path + (path.indexOf('?') < 0 ? '?' : '&') + 'currency=' + encodeURIComponent(state.currency);
  }

  function getJSON(path) {
    var name = path.split('?')[0];
    path = withCurrency(path);
    return fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }).then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = parseExact(text); } catch (e) { body = null; }
        if (!res.ok) {
          var detail = body && typeof body.detail === 'string' ? body.detail : 'HTTP ' + res.status + ' from ' + name;
          var err = new Error(detail); err.status = res.status; throw err;
        }
        if (body === null || typeof body !== 'object') throw new Error('The server sent something other than JSON for ' + name);
        return body;
      });
    }, function () {
      throw new Error('The server could not be reached (' + name + ')');
    });
  }

  // ---- Formatting. Amounts are formatted from their decimal text, never rounded through a float.
  function groupDigits(intPart) { return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function splitSign(s) {
    s = String(s == null ? '0' : s).trim();
    var neg = s.charAt(0) === '-';
    if (neg || s.charAt(0) === '+') s = s.slice(1);
    return { neg: neg, abs: s };
  }
  function fmtAmount(s, signed) {
    var p = splitSign(s), a = p.abs;
    if (!/^\d+(\.\d+)?$/.test(a)) {
      var x = Number(s);
      if (!isFinite(x)) return String(s);
      a = Math.abs(x).toFixed(state.exponent);
    }
    // As many decimals as the currency has (JPY none, USD two, KWD three), padded, never cut:
    // the API's text is exact in that currency's minor units.
    var parts = a.split('.'), i = parts[0].replace(/^0+(?=\d)/, ''), f = parts[1] || '';
    while (f.length < state.exponent) f += '0';
    var zero = !/[1-9]/.test(i + f);
    var sign = p.neg && !zero ? '\u2212' : (signed && !zero ? '+' : '');
    return sign + groupDigits(i) + (f ? '.' + f : '');
  }
  function fmtCount(s, signed) {
    var p = splitSign(s), a = p.abs.replace(/^0+(?=\d)/, '');
    var zero = !/[1-9]/.test(a);
    return (p.neg && !zero ? '\u2212' : (signed && !zero ? '+' : '')) + groupDigits(a);
  }
  function fmtPercent(s, signed, unit) {
    if (s === null || s === undefined) return '\u2014';
    var p = splitSign(s), x = Number(p.abs);
    if (!isFinite(x)) return '\u2014';
    var zero = x === 0;
    return (p.neg && !zero ? '\u2212' : (signed && !zero ? '+' : '')) + x.toFixed(1) + (unit || '%');
  }
  function rate(part, whole) {
    var w = Number(whole);
    return w > 0 ? (Number(part) / w * 100).toFixed(1) : null;
  }
  function trimNum(x) {
    var a = Math.abs(x);
    return String(+x.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2));
  }
  function compact(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return trimNum(v / 1e9) + 'B';
    if (a >= 1e6) return trimNum(v / 1e6) + 'M';
    if (a >= 1e3) return trimNum(v / 1e3) + 'k';
    return trimNum(v);
  }
  function sign(s) { var x = Number(s); return x > 0 ? 'up' : x < 0 ? 'down' : 'flat'; }
  function arrow(dir) { return dir === 'up' ? '\u25b2' : dir === 'down' ? '\u25bc' : '\u25b6'; }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; });
  }

  // ---- Civil days (YYYY-MM-DD), computed in UTC so that no time zone shifts them.
  function parseDay(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
    if (!m) return null;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCDate() === +m[3] ? d : null;
  }
  function dayText(d) { return d.toISOString().slice(0, 10); }
  function addDays(s, n) { var d = parseDay(s); d.setUTCDate(d.getUTCDate() + n); return dayText(d); }
  function shortDay(s) { var d = parseDay(s); return d ? MONTHS[d.getUTCMonth()] + ' ' + d.getUTCDate() : s; }
  function longDay(s) {
    var d = parseDay(s);
    return d ? WEEKDAYS[d.getUTCDay()] + ', ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCDate() + ', ' + d.getUTCFullYear() : s;
  }
  function spanText(a, b) {
    var da = parseDay(a), db = parseDay(b);
    if (!da || !db) return a + ' \u2013 ' + b;
    if (a === b) return longDay(a);
    return shortDay(a) + (da.getUTCFullYear() !== db.getUTCFullYear() ? ', ' + da.getUTCFullYear() : '') + ' \u2013 ' + shortDay(b) + ', ' + db.getUTCFullYear();
  }

  // ---- Payment method colours: stable, by the server's sorted list of methods.
  function addMethods(names) {
    names.forEach(function (n) {
      if (state.colors[n] === undefined) {
        state.colors[n] = PALETTE[state.methods.length % PALETTE.length];
        state.methods.push(n);
      }
    });
  }
  function loadMethods() {
    methodsReady = getJSON('/api/v1/stats/providers?days=1').then(function (p) {
      addMethods((p.providers || []).map(function (x) { return x.provider; }).sort());
    }, function () { /* the charts still work: methods are added as they appear */ });
    return methodsReady;
  }

  // ---- SVG helpers.
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = s;
    return t;
  }
  function px(n) { return (Math.round(n * 100) / 100).toString(); }

  function niceTicks(max, count, integer) {
    if (!(max > 0)) return [0, integer ? 1 : 1];
    var raw = max / count, p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
    var step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
    if (integer) step = Math.max(1, Math.ceil(step));
    var out = [];
    for (var v = 0; v < max + step * 0.999; v += step) out.push(+v.toPrecision(12));
    if (out.length < 2) out.push(step);
    return out;
  }

  function hostWidth(host) { return Math.max(260, Math.floor(host.getBoundingClientRect().width || host.clientWidth || 600)); }

  // A chart of stacked vertical bars. o: chart, columns [{key, label, title, segs: [{value, color, attrs, title}]}],
  // height, integer, yTitle, xTitle, labelChars, alignEnd, selected, onSelect, aria.
  function drawStacked(host, o) {
    var W = hostWidth(host), narrow = W < 520;
    var H = o.height(W);
    var totals = o.columns.map(function (c) { return c.segs.reduce(function (s, g) { return s + Number(g.value); }, 0); });
    var max = Math.max.apply(null, totals.concat([0]));
    var ticks = niceTicks(max, narrow ? 4 : 5, o.integer);
    var top = ticks[ticks.length - 1];
    var fmt = function (t) { return o.integer ? fmtCount(String(t)) : compact(t); };
    var widest = Math.max.apply(null, ticks.map(function (t) { return fmt(t).length; }));
    var m = { l: Math.max(30, Math.ceil(widest * 6.6 + 12)), r: 6, t: 22, b: 40 };
    var pw = W - m.l - m.r, ph = H - m.t - m.b;
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'data-chart': o.chart, role: 'img', 'aria-label': o.aria });
    ticks.forEach(function (t) {
      var y = m.t + ph - t / top * ph;
      el('line', { x1: m.l, x2: W - m.r, y1: px(y), y2: px(y), 'class': t === 0 ? 'axis' : 'grid' }, svg);
      text(svg, m.l - 6, px(y + 3.5), fmt(t), { 'class': 'tick', 'text-anchor': 'end' });
    });
    text(svg, 0, 12, o.yTitle, { 'class': 'axis-title' });
    text(svg, m.l + pw / 2, H - 4, o.xTitle, { 'class': 'axis-title', 'text-anchor': 'middle' });
    var n = Math.max(1, o.columns.length), band = pw / n;
    var bw = Math.max(1, Math.min(56, band * (band > 14 ? 0.72 : 0.85)));
    var step = Math.max(1, Math.ceil((o.labelChars * 6.4 + 10) / band));
    o.columns.forEach(function (c, i) {
      var x0 = m.l + i * band;
      var g = el('g', { 'class': 'col' + (o.selected !== null && o.selected !== undefined && String(o.selected) === String(c.key) ? ' selected' : '') }, svg);
      var hit = el('rect', { x: px(x0), y: m.t, width: px(band), height: px(ph), 'class': 'hit' }, g);
      if (o.onSelect) {
        hit.setAttribute('tabindex', '0');
        hit.setAttribute('role', 'button');
        hit.setAttribute('aria-label', c.title);
        g.addEventListener('click', function () { o.onSelect(c.key); });
        hit.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); o.onSelect(c.key); } });
      }
      var y = m.t + ph, x = x0 + (band - bw) / 2;
      c.segs.forEach(function (s) {
        var h = Number(s.value) / top * ph;
        y -= h;
        var r = el('rect', Object.assign({ x: px(x), y: px(y), width: px(bw), height: px(Math.max(0, h)), fill: s.color, 'class': 'bar', 'data-value': s.value }, s.attrs), g);
        el('title', null, r).textContent = c.title + ' \u00b7 ' + s.title;
      });
      var labelled = o.alignEnd ? (n - 1 - i) % step === 0 : i % step === 0;
      if (labelled) text(svg, px(x0 + band / 2), m.t + ph + 15, c.label, { 'class': 'tick', 'text-anchor': 'middle' });
    });
    if (max <= 0) text(svg, m.l + pw / 2, m.t + ph / 2, o.empty || 'No data', { 'class': 'empty', 'text-anchor': 'middle' });
    host.replaceChildren(svg);
    host.dataset.width = String(W);
  }

  // ---- Card states.
  function setCard(name, status, message) {
    state.status[name] = status;
    var msg = $(name + '-msg'), chart = $(name + '-chart');
    if (status === 'loading') {
      msg.innerHTML = '<div class="msg loading" role="status">Loading\u2026</div>';
      chart.classList.add('busy');
    } else if (status === 'error') {
      msg.innerHTML = '<div class="msg error" role="alert"><strong>Could not load this chart.</strong>' + esc(message) + '</div>';
      chart.classList.remove('busy');
      chart.replaceChildren();
    } else {
      msg.replaceChildren();
      chart.classList.remove('busy');
    }
    updateReady();
  }
  function updateReady() {
    var s = state.status;
    document.body.dataset.ready = s.daily === 'done' && s.hourly === 'done' && s.compare === 'done' ? '1' : '0';
  }
  function checkOverflow() {
    var d = document.documentElement;
    document.body.dataset.overflowX = d.scrollWidth > d.clientWidth + 1 ? '1' : '0';
    document.body.dataset.viewport = String(d.clientWidth);
  }

  // ---- Daily amounts by payment method (stacked), for the selected range and type.
  function loadDaily() {
    var tok = ++tokens.daily, from = state.from, to = state.to;
    setCard('daily', 'loading');
    kpisLoading();
    return Promise.all([
      getJSON('/stats?from_date=' + encodeURIComponent(from) + '&to_date=' + encodeURIComponent(to)),
      getJSON('/api/v1/stats/weekly?startDate=' + encodeURIComponent(from) + '&endDate=' + encodeURIComponent(to)),
      getJSON('/api/v1/stats/range?startDate=' + encodeURIComponent(from) + '&endDate=' + encodeURIComponent(to)),
      methodsReady
    ]).then(function (r) {
      if (tok !== tokens.daily) return;
      var stats = r[0].data || {};
      var seen = [];
      Object.keys(stats).forEach(function (day) {
        Object.keys(stats[day]).forEach(function (t) { Object.keys(stats[day][t]).forEach(function (mth) { if (seen.indexOf(mth) < 0) seen.push(mth); }); });
      });
      addMethods(seen.sort());
      state.daily = { from: from, to: to, stats: stats, weekly: r[1], range: r[2] };
      if (state.selectedDay && (state.selectedDay < from || state.selectedDay > to)) state.selectedDay = null;
      renderKpis();
      renderDaily();
      setCard('daily', 'done');
    }, function (e) {
      if (tok !== tokens.daily) return;
      state.daily = null;
      renderKpis(e.message);
      $('daily-legend').replaceChildren();
      $('daily-readout').replaceChildren();
      $('daily-table').replaceChildren();
      setCard('daily', 'error', e.message);
    });
  }

  function renderDaily() {
    var d = state.daily;
    if (!d) return;
    var type = state.type, T = TYPES[type];
    var days = (d.weekly.daily || []).map(function (x) { return x.date; });
    var present = state.methods.filter(function (mth) {
      return days.some(function (day) { return d.stats[day] && d.stats[day][type] && d.stats[day][type][mth] !== undefined; });
    });
    var columns = days.map(function (day) {
      var byMethod = (d.stats[day] && d.stats[day][type]) || {};
      var segs = [];
      present.forEach(function (mth) {
        var v = byMethod[mth];
        if (v !== undefined && Number(v) > 0) {
          segs.push({ value: v, color: state.colors[mth], title: mth + ': ' + fmtAmount(v),
            attrs: { 'data-day': day, 'data-type': type, 'data-method': mth } });
        }
      });
      return { key: day, label: shortDay(day), title: longDay(day), segs: segs };
    });
    $('daily-sub').textContent = 'Successful ' + T.lower + ' per day, stacked by payment method \u00b7 ' + spanText(d.from, d.to);
    $('daily-legend').innerHTML = present.map(function (mth) {
      return '<li><span class="sw" style="background:' + state.colors[mth] + '"></span>' + esc(mth) + '</li>';
    }).join('') || '<li class="muted">No successful ' + T.lower + ' in this range</li>';
    drawStacked($('daily-chart'), {
      chart: 'daily', columns: columns, integer: false,
      height: function (w) { return w < 520 ? 250 : 300; },
      yTitle: 'Amount', xTitle: 'Day', labelChars: 6, alignEnd: true,
      selected: state.selectedDay, onSelect: selectDay, empty: 'No successful ' + T.lower + ' in this range',
      aria: 'Stacked bars: successful ' + T.lower + ' per day by payment method, ' + spanText(d.from, d.to)
    });
    renderDailyReadout();
    renderDailyTable(days);
  }

  function renderDailyReadout() {
    var d = state.daily, T = TYPES[state.type];
    if (!d) return;
    var out;
    if (state.selectedDay) {
      var day = state.selectedDay;
      var w = (d.weekly.daily || []).filter(function (x) { return x.date === day; })[0];
      var b = w && w[T.view];
      var byMethod = (d.stats[day] && d.stats[day][state.type]) || {};
      out = '<strong>' + esc(longDay(day)) + '</strong> \u00b7 successful ' + T.lower + ' <span class="num">' + (b ? fmtAmount(b.success.amount) : fmtAmount('0')) + '</span>' +
        (b ? ' <span class="muted">(' + fmtCount(b.success.count) + ' of ' + fmtCount(b.total.count) + ' succeeded)</span>' : '') +
        '<ul>' + state.methods.filter(function (mth) { return byMethod[mth] !== undefined; }).map(function (mth) {
          return '<li><span class="sw" style="background:' + state.colors[mth] + '"></span>' + esc(mth) + ' <span class="num">' + fmtAmount(byMethod[mth]) + '</span></li>';
        }).join('') + '</ul>';
    } else {
      var total = d.weekly.total && d.weekly.total[T.view];
      out = '<strong>' + esc(spanText(d.from, d.to)) + '</strong> \u00b7 successful ' + T.lower + ' <span class="num">' + (total ? fmtAmount(total.success.amount) : fmtAmount('0')) + '</span>' +
        ' <span class="muted">\u00b7 select a day for its breakdown and hourly profile</span>';
    }
    $('daily-readout').innerHTML = out;
  }

  function renderDailyTable(days) {
    var d = state.daily, T = TYPES[state.type];
    var rows = (d.weekly.daily || []).map(function (x) {
      var b = x[T.view];
      return '<tr><td>' + esc(x.date) + '</td><td>' + fmtAmount(b.success.amount) + '</td><td>' + fmtCount(b.success.count) + '</td><td>' +
        fmtCount(b.failed.count) + '</td><td>' + fmtCount(b.pending.count) + '</td><td>' + fmtAmount(b.total.amount) + '</td></tr>';
    }).join('');
    var t = d.weekly.total && d.weekly.total[T.view];
    var foot = t ? '<tr><th>Total</th><th>' + fmtAmount(t.success.amount) + '</th><th>' + fmtCount(t.success.count) + '</th><th>' + fmtCount(t.failed.count) +
      '</th><th>' + fmtCount(t.pending.count) + '</th><th>' + fmtAmount(t.total.amount) + '</th></tr>' : '';
    $('daily-table').innerHTML = '<table><thead><tr><th>Day</th><th>Successful amount</th><th>Successful</th><th>Failed</th><th>Pending</th><th>Total amount</th></tr></thead><tbody>' +
      rows + '</tbody><tfoot>' + foot + '</tfoot></table>';
  }

  function selectDay(day) {
    state.selectedDay = state.selectedDay === day ? null : day;
    renderDaily();
    if (state.selectedDay && state.selectedDay !== state.day) {
      state.day = state.selectedDay;
      $('day').value = state.day;
      writeURL();
      loadHourly();
    }
  }

  // ---- Totals for the range (from the API's total blocks).
  function kpisLoading() {
    ['k-dep', 'k-wd', 'k-dep-rate', 'k-wd-rate'].forEach(function (id) { $(id).classList.add('busy'); });
  }
  function renderKpis(error) {
    var ids = ['k-dep', 'k-wd', 'k-dep-rate', 'k-wd-rate'];
    ids.forEach(function (id) { $(id).classList.remove('busy'); });
    var r = state.daily && state.daily.range;
    if (!r || error) {
      ids.forEach(function (id) { $(id).textContent = '\u2014'; $(id + '-sub').innerHTML = '&nbsp;'; });
      return;
    }
    function fill(id, b, word) {
      $(id).textContent = fmtAmount(b.success.amount);
      $(id + '-sub').textContent = fmtCount(b.success.count) + ' of ' + fmtCount(b.total.count) + ' succeeded';
      $(id + '-sub').title = 'Successful amount; ' + fmtCount(b.success.count) + ' of ' + fmtCount(b.total.count) + ' ' + word + ' succeeded';
      $(id + '-rate').textContent = fmtPercent(rate(b.success.count, b.total.count));
      $(id + '-rate-sub').textContent = fmtCount(b.failed.count) + ' failed \u00b7 ' + fmtCount(b.pending.count) + ' pending';
    }
    fill('k-dep', r.transactions, 'deposits');
    fill('k-wd', r.withdrawals, 'withdrawals');
  }

  // ---- Hourly profile of one day, by status.
  function loadHourly() {
    var tok = ++tokens.hourly, day = state.day;
    setCard('hourly', 'loading');
    return Promise.all([
      getJSON('/api/v1/stats/hourly?date=' + encodeURIComponent(day)),
      getJSON('/api/v1/stats/daily?date=' + encodeURIComponent(day))
    ]).then(function (r) {
      if (tok !== tokens.hourly) return;
      state.hourly = { day: day, hourly: r[0], daily: r[1] };
      state.timezone = r[0].timezone || state.timezone;
      state.selectedHour = null;
      renderMeta();
      renderHourly();
      setCard('hourly', 'done');
    }, function (e) {
      if (tok !== tokens.hourly) return;
      state.hourly = null;
      $('hourly-readout').replaceChildren();
      setCard('hourly', 'error', e.message);
    });
  }

  function hourLabel(start) { return String(start).slice(11, 13); }
  function hourTitle(start) {
    var s = String(start), off = s.slice(19);
    return shortDay(s.slice(0, 10)) + ', ' + s.slice(11, 16) + (off ? ' (UTC' + (off === 'Z' ? '' : off) + ')' : '');
  }

  function renderHourly() {
    var h = state.hourly;
    if (!h) return;
    var T = TYPES[state.type], metric = state.metric;
    var list = h.hourly.hourly || [];
    var columns = list.map(function (hr, i) {
      var block = hr[T.view];
      // On the day the clocks go back an hour repeats: its second occurrence is marked with a prime.
      var label = hourLabel(hr.start) + (i > 0 && hourLabel(list[i - 1].start) === hourLabel(hr.start) ? '\u2032' : '');
      var segs = [];
      STATUSES.forEach(function (s) {
        var v = block ? block[s.key][metric] : '0';
        if (Number(v) > 0) segs.push({ value: v, color: s.color, title: s.label + ': ' + (metric === 'amount' ? fmtAmount(v) : fmtCount(v)),
          attrs: { 'data-hour': String(hr.hour), 'data-status': s.key, 'data-type': state.type, 'data-measure': metric } });
      });
      return { key: String(hr.hour), label: label, title: hourTitle(hr.start), segs: segs };
    });
    var hours = Number(h.hourly.hours) || list.length;
    $('hourly-sub').textContent = T.label + ' by status \u00b7 ' + longDay(h.day) + (hours !== 24 ? ' \u00b7 ' + hours + ' hours (clock change)' : '');
    $('hourly-legend').innerHTML = STATUSES.map(function (s) {
      return '<li><span class="sw" style="background:' + s.color + '"></span>' + s.label + '</li>';
    }).join('');
    drawStacked($('hourly-chart'), {
      chart: 'hourly', columns: columns, integer: metric === 'count',
      height: function (w) { return w < 520 ? 230 : 260; },
      yTitle: metric === 'count' ? 'Transactions' : 'Amount',
      xTitle: 'Hour of day' + (state.timezone ? ' (' + state.timezone + ')' : ''), labelChars: 2, alignEnd: false,
      selected: state.selectedHour, onSelect: selectHour, empty: 'No ' + T.lower + ' on this day',
      aria: 'Stacked bars: ' + T.lower + ' per hour by status (' + metric + '), ' + longDay(h.day)
    });
    renderHourlyReadout();
  }

  function renderHourlyReadout() {
    var h = state.hourly, T = TYPES[state.type];
    if (!h) return;
    var out;
    function parts(b) {
      return STATUSES.map(function (s) {
        return '<li><span class="sw" style="background:' + s.color + '"></span>' + s.label + ' <span class="num">' + fmtCount(b[s.key].count) +
          '</span> <span class="muted num">(' + fmtAmount(b[s.key].amount) + ')</span></li>';
      }).join('');
    }
    if (state.selectedHour !== null) {
      var hr = (h.hourly.hourly || []).filter(function (x) { return String(x.hour) === String(state.selectedHour); })[0];
      var b = hr && hr[T.view];
      out = '<strong>' + esc(hr ? hourTitle(hr.start) : '') + '</strong> \u00b7 ' + (b ? fmtCount(b.total.count) : '0') + ' ' + T.lower +
        ', <span class="num">' + (b ? fmtAmount(b.total.amount) : fmtAmount('0')) + '</span><ul>' + (b ? parts(b) : '') + '</ul>';
    } else {
      var day = h.daily[T.view];
      out = '<strong>' + esc(longDay(h.day)) + '</strong> \u00b7 ' + (day ? fmtCount(day.total.count) : '0') + ' ' + T.lower +
        ', <span class="num">' + (day ? fmtAmount(day.total.amount) : fmtAmount('0')) + '</span> in total' + (day ? '<ul>' + parts(day) + '</ul>' : '');
    }
    $('hourly-readout').innerHTML = out;
  }

  function selectHour(hour) {
    state.selectedHour = String(state.selectedHour) === String(hour) ? null : hour;
    renderHourly();
  }

  // ---- Current vs previous period.
  function loadCompare() {
    var tok = ++tokens.compare, period = state.period;
    setCard('compare', 'loading');
    return Promise.all([getJSON('/api/v1/stats/compare?period=' + encodeURIComponent(period)), methodsReady]).then(function (r) {
      if (tok !== tokens.compare) return;
      state.compare = r[0];
      addMethods(Object.keys(r[0].current.byMethod || {}).sort());
      renderCompare();
      setCard('compare', 'done');
    }, function (e) {
      if (tok !== tokens.compare) return;
      state.compare = null;
      $('compare-tiles').replaceChildren();
      $('compare-legend').replaceChildren();
      setCard('compare', 'error', e.message);
    });
  }

  function renderCompare() {
    var c = state.compare;
    if (!c) return;
    $('compare-sub').textContent = spanText(c.current.startDate, c.current.endDate) + ' vs ' + spanText(c.previous.startDate, c.previous.endDate);
    function delta(abs, pct, fmt, unit) {
      var dir = sign(abs);
      return '<div class="delta ' + dir + '"><span aria-hidden="true">' + arrow(dir) + '</span> ' + fmt(abs, true) +
        (pct !== undefined ? ' (' + fmtPercent(pct, true) + ')' : '') + (unit || '') + '</div>';
    }
    function tile(label, cur, prev, d) {
      return '<div class="tile"><div class="label">' + label + '</div><div class="value">' + cur + '</div><div class="prev">previous ' + prev + '</div>' + d + '</div>';
    }
    var html = '';
    ['deposits', 'withdrawals'].forEach(function (type) {
      var T = TYPES[type], cur = c.current[T.view], prev = c.previous[T.view], ch = c.change[T.view];
      if (!cur || !prev || !ch) return;
      var cr = c.current.rates[T.view].successRate, pr = c.previous.rates[T.view].successRate;
      html += '<div class="tiles-head">' + T.label + '</div><div class="tiles">' +
        tile('Total amount', fmtAmount(cur.total.amount), fmtAmount(prev.total.amount), delta(ch.total.amount, ch.total.amountPercent, fmtAmount)) +
        tile('Transactions', fmtCount(cur.total.count), fmtCount(prev.total.count), delta(ch.total.count, ch.total.countPercent, fmtCount)) +
        tile('Success rate', fmtPercent(cr), fmtPercent(pr), ch.successRatePoints === null
          ? '<div class="delta flat">\u2014</div>'
          : delta(ch.successRatePoints, undefined, function (v) { return fmtPercent(v, true, ' pp'); })) +
        '</div>';
    });
    $('compare-tiles').innerHTML = html;
    renderCompareChart();
  }

  function renderCompareChart() {
    var c = state.compare;
    if (!c) return;
    var T = TYPES[state.type], host = $('compare-chart');
    var names = state.methods.filter(function (mth) { return c.current.byMethod[mth] || c.previous.byMethod[mth]; });
    var rows = names.map(function (mth) {
      var cb = c.current.byMethod[mth], pb = c.previous.byMethod[mth], ch = c.change.byMethod[mth];
      return { name: mth, cur: cb && cb[T.view] ? cb[T.view].total.amount : '0', prev: pb && pb[T.view] ? pb[T.view].total.amount : '0',
        pct: ch && ch[T.view] ? ch[T.view].total.amountPercent : null };
    });
    $('compare-chart-title').textContent = T.label + ': total amount by payment method';
    $('compare-legend').innerHTML = '<li><span class="sw" style="background:' + CURRENT + '"></span>Current (' + esc(spanText(c.current.startDate, c.current.endDate)) +
      ')</li><li><span class="sw prev"></span>Previous (' + esc(spanText(c.previous.startDate, c.previous.endDate)) + ')</li>';
    var W = hostWidth(host), narrow = W < 520;
    var labelW = Math.min(narrow ? 86 : 120, Math.max(48, Math.max.apply(null, rows.map(function (r) { return r.name.length; }).concat([4])) * 7 + 10));
    var pctW = 64, rowH = 36, m = { t: 22, b: 34 };
    var H = m.t + Math.max(1, rows.length) * rowH + m.b;
    var x0 = labelW, pw = W - labelW - pctW - 4;
    var max = Math.max.apply(null, rows.map(function (r) { return Math.max(Number(r.cur), Number(r.prev)); }).concat([0]));
    var ticks = niceTicks(max, narrow ? 3 : 4, false), top = ticks[ticks.length - 1];
    var svg = el('svg', { viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'data-chart': 'compare', role: 'img',
      'aria-label': T.label + ': total amount per payment method, current period against the previous one' });
    var yb = m.t + Math.max(1, rows.length) * rowH;
    ticks.forEach(function (t) {
      var x = x0 + t / top * pw;
      el('line', { x1: px(x), x2: px(x), y1: m.t, y2: yb, 'class': t === 0 ? 'axis' : 'grid' }, svg);
      text(svg, px(x), yb + 14, compact(t), { 'class': 'tick', 'text-anchor': t === 0 ? 'start' : t === top ? 'end' : 'middle' });
    });
    text(svg, x0 + pw / 2, H - 4, 'Total amount, all statuses', { 'class': 'axis-title', 'text-anchor': 'middle' });
    text(svg, W, 12, 'Change', { 'class': 'axis-title', 'text-anchor': 'end' });
    text(svg, 0, 12, 'Method', { 'class': 'axis-title' });
    rows.forEach(function (r, i) {
      var y = m.t + i * rowH;
      var g = el('g', { 'class': 'row' }, svg);
      text(g, 0, px(y + rowH / 2 + 4), r.name.length > 14 && narrow ? r.name.slice(0, 12) + '\u2026' : r.name, { 'class': 'row-label' });
      var cw = Number(r.cur) / top * pw, pwid = Number(r.prev) / top * pw;
      var a = el('rect', { x: x0, y: px(y + 7), width: px(Math.max(0, cw)), height: 12, fill: CURRENT, 'class': 'bar',
        'data-value': r.cur, 'data-method': r.name, 'data-period': 'current', 'data-type': state.type }, g);
      el('title', null, a).textContent = r.name + ', current: ' + fmtAmount(r.cur);
      var b = el('rect', { x: x0, y: px(y + 21), width: px(Math.max(0, pwid)), height: 8, fill: PREVIOUS, 'class': 'bar',
        'data-value': r.prev, 'data-method': r.name, 'data-period': 'previous', 'data-type': state.type }, g);
      el('title', null, b).textContent = r.name + ', previous: ' + fmtAmount(r.prev);
      var dir = r.pct === null ? 'flat' : sign(r.pct);
      text(g, W, px(y + rowH / 2 + 4), (r.pct === null ? '' : arrow(dir) + ' ') + fmtPercent(r.pct, true),
        { 'class': 'val ' + dir, 'text-anchor': 'end' });
    });
    if (!rows.length) text(svg, W / 2, m.t + rowH / 2 + 4, 'No transactions in either period', { 'class': 'empty', 'text-anchor': 'middle' });
    // The current bars use each method's colour; the legend's swatch stands for "current".
    host.replaceChildren(svg);
    host.dataset.width = String(W);
  }

  // ---- Page state, controls and URL.
  function renderMeta() {
    $('meta').textContent = 'Payment statistics \u00b7 today ' + (state.today ? longDay(state.today) : '\u2026') +
      (state.timezone ? ' \u00b7 ' + state.timezone : '') + (state.currency ? ' \u00b7 amounts in ' + state.currency : '');
  }
  function readURL() {
    var q = new URLSearchParams(location.search);
    var t = q.get('type');
    if (t === 'deposits' || t === 'withdrawals') state.type = t;
    var mt = q.get('measure');
    if (mt === 'count' || mt === 'amount') state.metric = mt;
    if (q.get('from')) state.from = q.get('from');
    if (q.get('to')) state.to = q.get('to');
    if (q.get('day')) state.day = q.get('day');
    var cur = q.get('currency');
    if (cur && /^[A-Za-z]{3}$/.test(cur)) state.currency = cur.toUpperCase();
    var p = q.get('period');
    if (p && /^\d{1,4}d$/.test(p)) state.period = p;
  }
  function writeURL() {
    var q = new URLSearchParams();
    q.set('from', state.from); q.set('to', state.to); q.set('day', state.day);
    q.set('period', state.period); q.set('type', state.type); q.set('measure', state.metric);
    if (state.currency) q.set('currency', state.currency);
    try { history.replaceState(null, '', '?' + q.toString()); } catch (e) { /* file: or sandboxed */ }
  }
  function syncControls() {
    $('from').value = state.from || '';
    $('to').value = state.to || '';
    $('day').value = state.day || '';
    if (state.currency) $('currency').value = state.currency;
    var sel = $('period');
    if (!Array.prototype.some.call(sel.options, function (o) { return o.value === state.period; })) {
      var o = document.createElement('option'); o.value = state.period; o.textContent = state.period.replace('d', ' days'); sel.appendChild(o);
    }
    sel.value = state.period;
    document.querySelectorAll('.seg button[data-type]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.type === state.type)); });
    document.querySelectorAll('[data-metric]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.metric === state.metric)); });
  }
  function bindControls() {
    $('controls').addEventListener('submit', function (e) {
      e.preventDefault();
      state.from = $('from').value || state.from;
      state.to = $('to').value || state.to;
      rangeChanged();
    });
    document.querySelectorAll('.quick button').forEach(function (b) {
      b.addEventListener('click', function () {
        var n = Number(b.dataset.days);
        state.to = state.today;
        state.from = addDays(state.today, -(n - 1));
        syncControls();
        rangeChanged();
      });
    });
    document.querySelectorAll('.seg button[data-type]').forEach(function (b) {
      b.addEventListener('click', function () {
        state.type = b.dataset.type;
        syncControls(); writeURL();
        renderDaily(); renderHourly(); renderCompareChart();
      });
    });
    document.querySelectorAll('.seg button[data-metric]').forEach(function (b) {
      b.addEventListener('click', function () {
        state.metric = b.dataset.metric;
        syncControls(); writeURL();
        renderHourly();
      });
    });
    $('day').addEventListener('change', function () {
      if (!parseDay($('day').value)) return;
      state.day = $('day').value;
      state.selectedDay = state.day >= state.from && state.day <= state.to ? state.day : null;
      writeURL();
      renderDaily();
      loadHourly();
    });
    $('currency').addEventListener('change', function () {
      setCurrency($('currency').value);
      writeURL();
      loadDaily();
      loadHourly();
      loadCompare();
    });
    $('period').addEventListener('change', function () {
      state.period = $('period').value;
      writeURL();
      loadCompare();
    });
  }
  // ---- Currencies: the picker lists what /api/v1/currencies reports, each with its exponent
  // (the decimals its amounts are shown with), and the server's default.
  function setCurrency(code) {
    state.currency = code;
    var c = state.currencies.filter(function (x) { return x.code === code; })[0];
    state.exponent = c ? Number(c.exponent) : 2;
  }
  function loadCurrencies() {
    return getJSON('/api/v1/currencies').then(function (r) {
      var list = (r.currencies || []).map(function (c) { return { code: String(c.code), exponent: Number(c.exponent) }; });
      var def = { code: String(r['default'].code), exponent: Number(r['default'].exponent) };
      // The default is offered even before it has data; a code from the URL that the server
      // does not list gives way to the default (its decimals would be a guess).
      if (!list.some(function (c) { return c.code === def.code; })) {
        list.push(def);
        list.sort(function (a, b) { return a.code < b.code ? -1 : a.code > b.code ? 1 : 0; });
      }
      var want = state.currency && list.some(function (c) { return c.code === state.currency; }) ? state.currency : def.code;
      state.currencies = list;
      var sel = $('currency');
      sel.replaceChildren();
      list.forEach(function (c) {
        var o = document.createElement('option'); o.value = c.code; o.textContent = c.code; sel.appendChild(o);
      });
      setCurrency(want);
      sel.value = want;
    });
  }

  function rangeChanged() {
    if (parseDay(state.to) && parseDay(state.from) && (state.day < state.from || state.day > state.to)) {
      state.day = state.to;
      $('day').value = state.day;
      loadHourly();
    }
    writeURL();
    loadDaily();
  }

  // Charts follow their container's width (phone and desktop alike); text keeps its size.
  function watchSizes() {
    var charts = [['daily-chart', renderDaily], ['hourly-chart', renderHourly], ['compare-chart', renderCompareChart]];
    var redraw = function () {
      charts.forEach(function (c) {
        var host = $(c[0]);
        if (host.dataset.width && String(hostWidth(host)) !== host.dataset.width) c[1]();
      });
      checkOverflow();
    };
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(redraw);
      charts.forEach(function (c) { ro.observe($(c[0])); });
      ro.observe(document.documentElement);
    }
    window.addEventListener('resize', redraw);
  }

  function fail(message) {
    $('banner').hidden = false;
    $('banner').innerHTML = '<div class="msg error" role="alert"><strong>The dashboard could not start.</strong>' + esc(message) + '</div>';
    ['daily', 'hourly', 'compare'].forEach(function (n) { setCard(n, 'error', message); });
  }

  function start() {
    readURL();
    bindControls();
    watchSizes();
    ['daily', 'hourly', 'compare'].forEach(function (n) { setCard(n, 'loading'); });
    loadMethods();
    loadCurrencies().then(function () {
      return getJSON('/api/v1/stats/compare?period=1d').then(onToday, function (e) {
        fail('Could not ask the server for today\u2019s date: ' + e.message);
      });
    }, function (e) {
      fail('Could not ask the server which currencies it has: ' + e.message);
    }).then(checkOverflow);
  }
  function onToday(c) {
    state.today = c.current.endDate;
    if (!state.to) state.to = state.today;
    if (!state.from) state.from = parseDay(state.to) ? addDays(state.to, -13) : state.to;
    if (!state.day) state.day = state.to;
    renderMeta();
    syncControls();
    writeURL();
    loadDaily();
    loadHourly();
    loadCompare();
  }

  start();
})();
