// 我的村: the village's copy and the forms, kept on the phone for use without signal.
//
// The copy and every waiting submission are stored in IndexedDB encrypted with AES-GCM under a key the server gives
// the logged-in user (/my-village/key/) and forgets at logout; the key is kept as a non-extractable CryptoKey. Only
// the number of waiting submissions is readable without it. Each submission carries a key (a UUID) so the server
// records it once however often it is sent, the version of the record it read, and the moment it was made.
(function () {
  "use strict";
  var app = document.getElementById("village-app");
  if (!app) { return; }
  var URLS = {sw: app.dataset.sw, key: app.dataset.key, bundle: app.dataset.bundle, sync: app.dataset.sync,
              login: app.dataset.login};
  var DAY = 24 * 60 * 60 * 1000;
  var KIND_LABELS = {visit: "入户走访", warning_verify: "预警核实", lead: "登记识别线索", check_in: "驻村签到",
                     measure: "帮扶措施跟进", care_visit: "关爱走访"};
  var state = {db: null, key: null, csrf: null, copy: null, tab: "households", items: [], syncing: false,
               sent: [], filter: ""};

  // --- small helpers ----------------------------------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; } else if (name === "on") {
        Object.keys(value).forEach(function (ev) { node.addEventListener(ev, value[ev]); });
      } else { node.setAttribute(name, value === true ? "" : value); }
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      (Array.isArray(child) ? child : [child]).forEach(function (c) {
        if (c !== null && c !== undefined && c !== false) {
          node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
        }
      });
    }
    return node;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localDate(d) { return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()); }
  function localTime(iso) {
    var d = new Date(iso);
    return localDate(d) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }
  function b64(bytes) { return btoa(String.fromCharCode.apply(null, new Uint8Array(bytes))); }
  function unb64(text) { return Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); }); }

  // --- IndexedDB ----------------------------------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("bangfu-offline", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("meta");
        request.result.createObjectStore("queue", {keyPath: "key"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(store, mode, work) {
    return new Promise(function (resolve, reject) {
      var tx = state.db.transaction(store, mode);
      var result = work(tx.objectStore(store));
      tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }
  function dbGet(store, key) { return run(store, "readonly", function (s) { return s.get(key); }); }
  function dbPut(store, value, key) {
    return run(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); });
  }
  function dbDelete(store, key) { return run(store, "readwrite", function (s) { s.delete(key); }); }
  function dbAll(store) { return run(store, "readonly", function (s) { return s.getAll(); }); }
  function dbCount(store) { return run(store, "readonly", function (s) { return s.count(); }); }
  function wipe() {
    return Promise.all([run("meta", "readwrite", function (s) { s.clear(); }),
                        run("queue", "readwrite", function (s) { s.clear(); })]);
  }

  // --- encryption ---------------------------------------------------------------------------------------------
  function seal(value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(value));
    return crypto.subtle.encrypt({name: "AES-GCM", iv: iv}, state.key, plain).then(function (data) {
      return {iv: iv, data: data};
    });
  }
  function unseal(sealed) {
    return crypto.subtle.decrypt({name: "AES-GCM", iv: sealed.iv}, state.key, sealed.data).then(function (plain) {
      return JSON.parse(new TextDecoder().decode(plain));
    });
  }
  function keyId(raw) {
    return crypto.subtle.digest("SHA-256", unb64(raw)).then(b64);
  }

  // --- status line --------------------------------------------------------------------------------------------
  function notice(text, link) {
    var box = document.getElementById("notice");
    box.textContent = text || "";
    if (link) { box.appendChild(document.createTextNode(" ")); box.appendChild(el("a", {href: link.href, text: link.text})); }
    box.hidden = !text;
  }
  function showNet() {
    var net = document.getElementById("net");
    net.textContent = navigator.onLine ? "在线" : "离线：表单保存在手机上，有信号后自动上传";
    net.className = "ov-net " + (navigator.onLine ? "on" : "off");
    document.getElementById("sync-now").disabled = !navigator.onLine;
  }
  function showCount() {
    return dbCount("queue").then(function (n) {
      document.getElementById("pending").textContent = n + " 条待上传";
      document.querySelector("[data-count=queue]").textContent = n ? "(" + n + ")" : "";
    });
  }
  function showAge() {
    var age = document.getElementById("copy-age");
    if (!state.copy) { age.textContent = ""; return; }
    var until = new Date(state.loginAt + state.copy.keep_days * DAY);
    age.textContent = "本机资料更新于 " + localTime(state.copy.fetched_at) + "；若一直不联网登录，将于 " +
      localTime(until.toISOString()) + " 自动清除";
  }

  // --- server -------------------------------------------------------------------------------------------------
  function getJson(url) {
    return fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}});
  }
  function loginNeeded() {
    notice("登录已过期：请联网登录后再上传（待上传的记录仍在手机上）。", {href: URLS.login, text: "去登录"});
  }
  function refreshKey() {
    return getJson(URLS.key).then(function (response) {
      if (response.status === 401) { loginNeeded(); return false; }
      if (!response.ok) { return false; }
      return response.json().then(function (answer) {
        return keyId(answer.key).then(function (id) {
          return Promise.all([dbGet("meta", "user"), dbGet("meta", "key_id")]).then(function (old) {
            // Another account on this phone, or a logout elsewhere discarded the key: what is stored can no
            // longer be read, so it goes.
            var stale = (old[0] !== undefined && old[0] !== answer.user) || (old[1] !== undefined && old[1] !== id);
            return (stale ? wipe() : Promise.resolve()).then(function () {
              return crypto.subtle.importKey("raw", unb64(answer.key), {name: "AES-GCM"}, false,
                                             ["encrypt", "decrypt"]);
            }).then(function (key) {
              state.key = key; state.csrf = answer.csrf; state.loginAt = Date.now();
              notice("");
              return Promise.all([dbPut("meta", key, "key"), dbPut("meta", id, "key_id"),
                                  dbPut("meta", answer.user, "user"), dbPut("meta", state.loginAt, "login_at")]);
            }).then(function () { return true; });
          });
        });
      });
    });
  }
  function refreshCopy() {
    return getJson(URLS.bundle).then(function (response) {
      if (!response.ok) { return; }
      return response.json().then(function (copy) {
        state.copy = copy;
        state.sent = [];  // the server's list of what arrived now holds them
        return seal(copy).then(function (sealed) {
          return Promise.all([dbPut("meta", sealed, "copy"), dbPut("meta", copy.keep_days, "keep_days")]);
        });
      });
    });
  }
  function online() {
    if (!navigator.onLine) { return Promise.resolve(); }
    return refreshKey().then(function (ok) {
      if (!ok) { return; }
      return sync().then(refreshCopy);
    }).catch(function () { /* no answer: treated as no signal */ });
  }

  function sync() {
    if (!navigator.onLine || state.syncing || !state.csrf || !state.key) { return Promise.resolve(); }
    state.syncing = true;
    return dbAll("queue").then(function (rows) {
      var waiting = rows.filter(function (r) { return r.state === "waiting"; })
        .sort(function (a, b) { return a.created - b.created; });
      var chain = Promise.resolve(true);
      waiting.forEach(function (row) {
        chain = chain.then(function (go) { return go ? send(row) : false; });
      });
      return chain;
    }).catch(function () { return false; }).then(function () {
      state.syncing = false;
      if (state.attention) {  // a record changed meanwhile or a refusal: the cadre decides, on the queue's page
        state.attention = false; state.tab = "queue";
        notice("有记录未能直接上传，需要您处理：见下方“待上传”。");
      }
      return loadItems();
    }).then(function () {
      var open = state.items.some(function (item) { return item.row.state !== "waiting"; });
      var box = document.getElementById("notice");
      if (!open && box.textContent.indexOf("需要您处理") >= 0) { notice(""); }
    }).then(function () { render(); return showCount(); });
  }
  function send(row) {
    return unseal(row.sealed).then(function (body) {
      return fetch(URLS.sync, {method: "POST", credentials: "same-origin", redirect: "manual",
                               headers: {"Content-Type": "application/json", "X-CSRFToken": state.csrf,
                                         "Accept": "application/json"},
                               body: JSON.stringify(body.payload)}).then(function (response) {
        if (response.status === 401 || response.type === "opaqueredirect") { loginNeeded(); return false; }
        return response.json().catch(function () { return null; }).then(function (answer) {
          if (response.ok && answer) {
            state.sent.unshift({kind: answer.kind, label: answer.label, made_at: answer.made_at,
                                received_at: answer.received_at});
            return dbDelete("queue", row.key).then(function () { return true; });
          }
          if ([400, 403, 409, 422].indexOf(response.status) >= 0 && answer) {
            body.answer = answer;
            return seal(body).then(function (sealed) {
              row.sealed = sealed; row.state = response.status === 409 ? "conflict" : "refused";
              state.attention = true;
              return dbPut("queue", row);
            }).then(function () { return true; });
          }
          return false;  // the server is unwell: try again later, in the same order
        });
      });
    }).catch(function () { return false; });
  }

  // --- the queue ----------------------------------------------------------------------------------------------
  function enqueue(kind, data, version, summary, place) {
    var payload = {key: crypto.randomUUID(), kind: kind, made_at: new Date().toISOString(), version: version,
                   data: data, latitude: place ? place.latitude : null, longitude: place ? place.longitude : null};
    return seal({payload: payload, summary: summary}).then(function (sealed) {
      return dbPut("queue", {key: payload.key, kind: kind, created: Date.now(), state: "waiting", sealed: sealed});
    }).then(loadItems).then(function () {
      state.tab = "queue"; render(); return showCount();
    }).then(sync);
  }
  function loadItems() {
    if (!state.key) { state.items = []; return Promise.resolve(); }
    return dbAll("queue").then(function (rows) {
      return Promise.all(rows.map(function (row) {
        return unseal(row.sealed).then(function (body) { return {row: row, body: body}; })
          .catch(function () { return {row: row, body: null}; });
      }));
    }).then(function (items) {
      state.items = items.sort(function (a, b) { return a.row.created - b.row.created; });
    });
  }
  function queued(kind, field, id) {
    return state.items.some(function (item) {
      return item.body && item.row.kind === kind && String(item.body.payload.data[field]) === String(id);
    });
  }

  // --- pages --------------------------------------------------------------------------------------------------
  function household(id) {
    return (state.copy.households || []).filter(function (h) { return h.id === id; })[0] || null;
  }
  function householdLine(id) {
    var h = household(id);
    return h ? h.number + " " + (h.head || "") : "户 " + id;
  }
  function card(title, lines, actions) {
    return el("article", {"class": "ov-card"}, el("h3", {text: title}),
              lines.filter(Boolean).map(function (line) { return el("p", {text: line}); }),
              actions && actions.length ? el("div", {"class": "ov-actions"}, actions) : null);
  }
  function action(label, handler, primary) {
    return el("button", {type: "button", "class": primary ? "primary" : null, text: label, on: {click: handler}});
  }
  function empty(text) { return el("p", {"class": "muted", text: text}); }

  var PAGES = {
    households: function () {
      var forms = state.copy.forms || [];
      var search = el("input", {type: "search", placeholder: "按户编号或户主查找", value: state.filter,
                                "aria-label": "按户编号或户主查找", on: {input: function (e) {
                                  state.filter = e.target.value; renderList(); }}});
      var list = el("div", {"class": "ov-list"});
      function renderList() {
        list.textContent = "";
        var q = state.filter.trim();
        var rows = state.copy.households.filter(function (h) {
          return !q || h.number.indexOf(q) >= 0 || (h.head || "").indexOf(q) >= 0;
        });
        rows.slice(0, 60).forEach(function (h) {
          var acts = [];
          if (forms.indexOf("visit") >= 0) { acts.push(action("入户走访", function () { openForm("visit", h); }, true)); }
          if (forms.indexOf("lead") >= 0) { acts.push(action("登记线索", function () { openForm("lead", h); })); }
          list.appendChild(card(h.number + " " + (h.head || ""), [
            [h.group, h.type, h.monitoring ? h.monitoring + (h.status ? "（" + h.status + "）" : "") : ""]
              .filter(Boolean).join(" · "),
            "住房：" + (h.housing_safety || "未鉴定") + " · 饮水安全：" + (h.drinking_water_safe ? "是" : "否")], acts));
        });
        if (!rows.length) { list.appendChild(empty("没有符合的农户")); }
        if (rows.length > 60) { list.appendChild(empty("共 " + rows.length + " 户，请输入户编号或户主缩小范围")); }
      }
      renderList();
      return [search, list];
    },
    warnings: function () {
      var can = (state.copy.forms || []).indexOf("warning_verify") >= 0;
      var rows = state.copy.warnings || [];
      if (!rows.length) { return empty("本村没有待核实的预警"); }
      return rows.map(function (w) {
        var waiting = queued("warning_verify", "warning", w.id);
        return card(householdLine(w.household), ["规则：" + w.rule, "证据：" + w.evidence, "预警时间：" + w.created,
                                                 waiting ? "已核实，待上传" : ""],
                    can && !waiting ? [action("核实", function () { openForm("warning_verify", w); }, true)] : []);
      });
    },
    leads: function () {
      var rows = state.copy.leads || [];
      if (!rows.length) { return empty("本村没有待处理的识别线索"); }
      return rows.map(function (l) {
        return card(l.household ? householdLine(l.household) : "未匹配到农户",
                    [l.source + " · " + l.risk, l.difficulty, "登记时间：" + l.created]);
      });
    },
    cases: function () {
      var rows = state.copy.cases || [];
      if (!rows.length) { return empty("本村没有在办案件"); }
      return rows.map(function (c) {
        return card(householdLine(c.household), [c.kind + " · " + c.state, "办结期限：" + c.due]);
      });
    },
    measures: function () {
      var can = (state.copy.forms || []).indexOf("measure") >= 0;
      var rows = state.copy.measures || [];
      if (!rows.length) { return empty("本村没有未完成的帮扶措施"); }
      return rows.map(function (m) {
        return card(householdLine(m.household), [m.category + "：" + m.description, "状态：" + m.status_label +
                    (m.end_on ? " · 结束日期：" + m.end_on : ""), queued("measure", "measure", m.id) ? "已跟进，待上传" : ""],
                    can ? [action("跟进", function () { openForm("measure", m); }, true)] : []);
      });
    },
    care: function () {
      var can = (state.copy.forms || []).indexOf("care_visit") >= 0;
      var rows = state.copy.care || [];
      if (!rows.length) { return empty("本村本季度没有待走访的八必访户"); }
      return rows.map(function (c) {
        var waiting = queued("care_visit", "household", c.household);
        var people = (c.members || []).map(function (m) {
          return m.name + "（" + m.age + "岁，" + m.groups.join("、") + "）";
        }).join("；");
        return card(c.number + " " + (c.head || ""), ["应访原因：" + c.reasons.join("、"), people ? "关爱对象：" + people : "",
                    "上次走访：" + (c.last_visit || "无"), waiting ? "已走访，待上传" : ""],
                    can && !waiting ? [action("关爱走访", function () { openForm("care_visit", c); }, true)] : []);
      });
    },
    check_in: function () { return formCheckIn(); },
    queue: function () {
      if (!state.items.length) { return empty("没有待上传的记录"); }
      return state.items.map(queueCard);
    },
    recent: function () {
      var rows = state.sent.concat(state.copy.recent || []);
      if (!rows.length) { return empty("还没有离线录入并上传的记录"); }
      return rows.map(function (r) {
        return card(r.kind + "：" + r.label, ["录入时间：" + r.made_at + "（离线录入）", "上传时间：" + r.received_at]);
      });
    },
  };

  function queueCard(item) {
    var row = item.row, body = item.body;
    if (!body) { return card(KIND_LABELS[row.kind] || row.kind, ["无法解密（密钥已更换）"]); }
    var answer = body.answer || {};
    var lines = ["录入时间：" + localTime(body.payload.made_at) + "（离线录入）"];
    if (body.payload.latitude !== null && body.payload.latitude !== undefined) {
      lines.push("位置：" + body.payload.latitude + ", " + body.payload.longitude);
    }
    var extra = [], acts = [];
    if (row.state === "waiting") { lines.push("等待上传"); }
    if (row.state === "refused") {
      lines.push("未能上传：");
      if (answer.message) { extra.push(el("p", {"class": "error", text: answer.message})); }
      Object.keys(answer.errors || {}).forEach(function (name) {
        var e = answer.errors[name];
        extra.push(el("p", {"class": "error", text: (e.label ? e.label + "：" : "") + e.messages.join("；")}));
      });
      acts.push(action("删除此条", function () {
        if (window.confirm("删除后这条记录不会上传，确定吗？")) { dbDelete("queue", row.key).then(reload); }
      }));
    }
    if (row.state === "conflict") {
      extra.push(el("p", {"class": "error", text: answer.message}));
      var table = el("table", {"class": "ov-compare"},
        el("thead", {}, el("tr", {}, el("th", {text: "项目"}), el("th", {text: "服务器上（他人修改后）"}),
                                      el("th", {text: "我离线填写的"}))),
        el("tbody", {}, (answer.server || []).map(function (pair, i) {
          var mine = (answer.mine || [])[i] || ["", ""];
          return el("tr", {"class": pair[1] !== mine[1] ? "differs" : null}, el("th", {text: pair[0]}),
                    el("td", {text: pair[1]}), el("td", {text: mine[1]}));
        })));
      extra.push(table);
      var choices = answer.choices && answer.choices.length ? answer.choices
        : [["mine", "以我的为准"], ["server", "以服务器为准"]];
      choices.forEach(function (choice, i) {
        acts.push(action(choice[1], function () { resolve(item, choice[0]); }, i === 0));
      });
    }
    var node = card((KIND_LABELS[row.kind] || row.kind) + "：" + body.summary, lines, acts);
    extra.forEach(function (x) { node.insertBefore(x, node.lastChild); });
    node.classList.add("ov-" + row.state);
    return node;
  }

  function resolve(item, choice) {
    var body = item.body, row = item.row;
    body.payload.version = body.answer.version;
    if (row.kind === "warning_verify") {  // the server applies the choice (a lead, or a home visit)
      body.payload.data.resolution = choice;
    } else if (choice === "server") {
      // Keeping the server's measure, or the care visit already recorded, leaves nothing of mine to send.
      if (row.kind === "measure" || row.kind === "care_visit") {
        return dbDelete("queue", row.key).then(reload);
      }
      delete body.payload.data.housing_safety;  // the visit itself is still recorded, the file as it is now
      delete body.payload.data.drinking_water_safe;
    }
    delete body.answer;
    return seal(body).then(function (sealed) {
      row.sealed = sealed; row.state = "waiting";
      return dbPut("queue", row);
    }).then(reload).then(sync);
  }
  function reload() { return loadItems().then(function () { render(); return showCount(); }); }

  // --- forms --------------------------------------------------------------------------------------------------
  function field(label, input, help) {
    return el("p", {"class": "ov-field"}, el("label", {}, el("span", {text: label}), input),
              help ? el("small", {"class": "muted", text: help}) : null);
  }
  function select(name, choices, current) {
    return el("select", {name: name}, choices.map(function (c) {
      return el("option", {value: c[0], selected: String(c[0]) === String(current)}, c[1]);
    }));
  }
  function today() { return localDate(new Date()); }
  function formBox(title, fields, save) {
    var error = el("p", {"class": "error", hidden: true});
    var form = el("form", {"class": "ov-form card", novalidate: true}, el("h2", {text: title}), fields, error,
      el("div", {"class": "ov-actions"}, el("button", {type: "submit", "class": "primary", text: "保存（离线可用）"}),
         action("取消", function () { render(); })));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = {};
      new FormData(form).forEach(function (value, name) { values[name] = String(value).trim(); });
      var problem = save(values);
      if (problem) { error.textContent = problem; error.hidden = false; }
    });
    return form;
  }
  function openForm(kind, target) {
    var panel = document.getElementById("panel");
    panel.textContent = "";
    panel.appendChild(FORMS[kind](target));
    window.scrollTo(0, 0);
  }
  var FORMS = {
    visit: function (h) {
      var ch = state.copy.choices;
      return formBox("入户走访：" + h.number + " " + (h.head || ""), [
        field("走访日期", el("input", {type: "date", name: "visited_on", value: today(), max: today()})),
        field("走访情况", el("textarea", {name: "notes", rows: 3})),
        field("人均纯收入（元，走访时测算）", el("input", {name: "per_capita_income", inputmode: "decimal"})),
        field("住房安全等级", select("housing_safety", ch.housing_safety, h.housing_safety), "与档案不同时才会修改档案"),
        field("饮水安全有保障", select("drinking_water_safe", [["true", "是"], ["false", "否"]],
                                       h.drinking_water_safe ? "true" : "false")),
      ], function (v) {
        if (!v.visited_on || !v.notes) { return "请填写走访日期和走访情况"; }
        var data = {household: h.id, visited_on: v.visited_on, notes: v.notes, per_capita_income: v.per_capita_income};
        if (v.housing_safety !== (h.housing_safety || "")) { data.housing_safety = v.housing_safety; }
        if ((v.drinking_water_safe === "true") !== h.drinking_water_safe) { data.drinking_water_safe = v.drinking_water_safe; }
        enqueue("visit", data, h.version, h.number + " " + (h.head || ""));
      });
    },
    warning_verify: function (w) {
      var outcomes = state.copy.choices.outcome.map(function (c) {
        return el("label", {"class": "ov-radio"}, el("input", {type: "radio", name: "outcome", value: c[0]}), c[1]);
      });
      return formBox("预警核实：" + householdLine(w.household), [
        el("p", {"class": "muted", text: w.rule + "：" + w.evidence}),
        el("fieldset", {}, el("legend", {text: "核实结果"}), outcomes),
        field("走访日期", el("input", {type: "date", name: "visit_date", value: today(), max: today()})),
        field("走访情况", el("textarea", {name: "visit_notes", rows: 3})),
        field("排除理由", el("input", {name: "dismiss_reason"}), "核实排除时必填"),
      ], function (v) {
        if (!v.outcome || !v.visit_date || !v.visit_notes) { return "请选择核实结果，填写走访日期和走访情况"; }
        if (v.outcome === "dismissed" && !v.dismiss_reason) { return "核实排除时须写明排除理由"; }
        enqueue("warning_verify", {warning: w.id, outcome: v.outcome, visit_date: v.visit_date,
                                   visit_notes: v.visit_notes, dismiss_reason: v.dismiss_reason},
                w.version || null, householdLine(w.household) + " " + w.rule);
      });
    },
    lead: function (h) {
      return formBox("登记识别线索：" + h.number + " " + (h.head || ""), [
        field("风险类型", select("risk_type", [["", "请选择"]].concat(state.copy.choices.risk_type), "")),
        field("走访发现的困难", el("textarea", {name: "difficulty", rows: 3})),
      ], function (v) {
        if (!v.risk_type || v.difficulty.length < 4) { return "请选择风险类型，困难情况至少写4个字"; }
        enqueue("lead", {household: h.id, risk_type: v.risk_type, difficulty: v.difficulty}, h.version,
                h.number + " " + (h.head || ""));
      });
    },
    care_visit: function (c) {
      return formBox("关爱走访：" + c.number + " " + (c.head || ""), [
        el("p", {"class": "muted", text: "应访原因：" + c.reasons.join("、")}),
        field("走访人", el("input", {name: "visitor", value: state.copy.cadre ? state.copy.cadre.name : "",
                                     maxlength: 50})),
        field("走访日期", el("input", {type: "date", name: "visited_on", value: today(), max: today()})),
        field("发现情况", el("textarea", {name: "found", rows: 3})),
        field("处理情况", el("textarea", {name: "done", rows: 3})),
      ], function (v) {
        if (!v.visitor || !v.visited_on || !v.found) { return "请填写走访人、走访日期和发现情况"; }
        enqueue("care_visit", {household: c.household, visitor: v.visitor, visited_on: v.visited_on, found: v.found,
                               done: v.done}, c.version, c.number + " " + (c.head || ""));
      });
    },
    measure: function (m) {
      return formBox("帮扶措施跟进：" + householdLine(m.household), [
        el("p", {"class": "muted", text: m.category + "：" + m.description}),
        field("状态", select("status", state.copy.choices.measure_status, m.status)),
        field("结束日期", el("input", {type: "date", name: "end_on", value: m.end_on})),
      ], function (v) {
        enqueue("measure", {measure: m.id, status: v.status, end_on: v.end_on}, m.version,
                householdLine(m.household) + " " + m.category);
      });
    },
  };
  function formCheckIn() {
    var cadre = state.copy.cadre;
    if (!cadre) { return empty("您的账号没有驻村干部任职，无需签到"); }
    return formBox("驻村签到：" + cadre.name + "（" + cadre.kind + "）", [
      el("p", {"class": "muted", text: "保存时记下当时的时间和位置（若允许定位），上传后标明为离线录入。"}),
      field("工作日志", el("textarea", {name: "log", rows: 3})),
    ], function (v) {
      var made = function (place) {
        enqueue("check_in", {log: v.log}, null, cadre.name + " " + today(), place);
      };
      if (!navigator.geolocation) { made(null); return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        made({latitude: p.coords.latitude.toFixed(6), longitude: p.coords.longitude.toFixed(6)});
      }, function () { made(null); }, {timeout: 5000, maximumAge: 60000});
    });
  }

  // --- rendering ----------------------------------------------------------------------------------------------
  function render() {
    var panel = document.getElementById("panel");
    panel.textContent = "";
    document.querySelectorAll(".ov-tabs button").forEach(function (b) {
      b.classList.toggle("active", b.dataset.tab === state.tab);
    });
    if (!state.copy) {
      document.getElementById("tab-check-in").hidden = true;
      panel.appendChild(empty(navigator.onLine ? "请联网登录后打开“我的村”，把本村资料存到手机上。"
                                               : "手机上还没有本村资料：请在有信号时登录并打开“我的村”。"));
      return;
    }
    document.getElementById("tab-check-in").hidden = !state.copy.cadre || state.copy.forms.indexOf("check_in") < 0;
    ["warnings", "leads", "cases", "measures", "care"].forEach(function (name) {
      var n = (state.copy[name] || []).length;
      document.querySelector("[data-count=" + name + "]").textContent = n ? "(" + n + ")" : "";
    });
    var content = PAGES[state.tab]();
    (Array.isArray(content) ? content : [content]).forEach(function (node) { panel.appendChild(node); });
    showAge();
  }

  function expireIfStale() {
    return Promise.all([dbGet("meta", "login_at"), dbGet("meta", "keep_days")]).then(function (v) {
      if (v[0] && v[1] && Date.now() - v[0] > v[1] * DAY) {
        return wipe().then(function () {
          notice("超过 " + v[1] + " 天未联网登录，手机上的本村资料和待上传记录已按规定清除。");
        });
      }
      state.loginAt = v[0];
    });
  }
  function loadCopy() {
    return dbGet("meta", "key").then(function (key) {
      if (key) { state.key = key; }
      if (!state.key) { return; }
      return dbGet("meta", "copy").then(function (sealed) {
        return sealed && !state.copy ? unseal(sealed).then(function (copy) { state.copy = copy; }) : null;
      });
    }).catch(function () { state.copy = null; });
  }

  function start() {
    // Ask the browser not to evict the copy and the queue when the phone runs short of space.
    if (navigator.storage && navigator.storage.persist) { navigator.storage.persist().catch(function () {}); }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(URLS.sw, {scope: "/"}).catch(function () {});
    }
    document.querySelectorAll(".ov-tabs button").forEach(function (button) {
      button.addEventListener("click", function () { state.tab = button.dataset.tab; render(); });
    });
    document.getElementById("sync-now").addEventListener("click", function () { online().then(reload); });
    window.addEventListener("online", function () { showNet(); online().then(reload); });
    window.addEventListener("offline", showNet);
    showNet();
    openDb().then(function (db) { state.db = db; })
      .then(expireIfStale)
      .then(loadCopy)
      .then(online)
      .then(loadCopy)
      .then(loadItems)
      .then(function () { render(); return showCount(); })
      .then(function () { app.dataset.ready = "1"; })
      .catch(function (error) { notice("手机上的资料无法打开：" + error); app.dataset.ready = "1"; });
  }
  start();
}());
