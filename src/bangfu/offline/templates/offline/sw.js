// bangfu's service worker (served from /sw.js so its scope is the whole site). It keeps 我的村's shell and its
// files for use without signal; every other page goes to the server, and without signal gets a plain page saying
// it needs the network. Data never passes through here: the copy lives encrypted in IndexedDB (offline/village.js).
"use strict";
var CACHE = "bangfu-shell-{{ version }}";
var SHELL = "{{ shell }}";
var ASSETS = [{% for asset in assets %}"{{ asset|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var NEEDS_NETWORK = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">" +
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>需要联网</title>" +
  "<link rel=\"stylesheet\" href=\"" + ASSETS[0] + "\"><main class=\"main\"><h1>此页面需要联网</h1>" +
  "<p class=\"card\">现在没有网络信号，这个页面要从服务器读取，暂时打不开。</p>" +
  "<p>没有信号时请使用 <a href=\"" + SHELL + "\">我的村</a>：走访、预警核实、登记线索、签到和措施跟进都可以先保存在手机上，" +
  "有信号后自动上传。</p></main></html>";

function keepShell(cache) {
  return fetch(SHELL, {credentials: "same-origin"}).then(function (response) {
    if (response.ok && !response.redirected) { return cache.put(SHELL, response); }
  }).catch(function () {});
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () { return keepShell(cache); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (url.pathname === SHELL) {
    // The latest shell when the server answers (and keep it); the kept one without signal.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(SHELL, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(SHELL).then(function (hit) { return hit || new Response(NEEDS_NETWORK, {
        status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}}); });
    }));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () {
      return new Response(NEEDS_NETWORK, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
    }));
  }
});
