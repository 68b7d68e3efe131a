// 退出 on any page: the server then deletes this site's storage on the phone (Clear-Site-Data), waiting
// submissions of 我的村 included. If some are still waiting, ask first.
(function () {
  "use strict";
  var form = document.querySelector("form[data-logout]");
  if (!form || !window.indexedDB) { return; }
  form.addEventListener("submit", function (event) {
    if (form.dataset.confirmed) { return; }
    event.preventDefault();
    var request = indexedDB.open("bangfu-offline", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("meta");
      request.result.createObjectStore("queue", {keyPath: "key"});
    };
    request.onsuccess = function () {
      var count = request.result.transaction("queue").objectStore("queue").count();
      count.onsuccess = function () {
        var n = count.result;
        request.result.close();
        if (n && !window.confirm("“我的村”还有 " + n + " 条记录没有上传，退出会把它们从手机上删除。确定退出吗？")) { return; }
        form.dataset.confirmed = "1";
        form.submit();
      };
    };
    request.onerror = function () { form.dataset.confirmed = "1"; form.submit(); };
  });
}());
