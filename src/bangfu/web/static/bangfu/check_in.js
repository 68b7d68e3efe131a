// The check-in form (assistance/check_in.html) attaches the browser's position when the user allows it.
// A file, not an inline script: the Content-Security-Policy runs only our own static files.
if (navigator.geolocation && document.getElementById("id_latitude")) {
  navigator.geolocation.getCurrentPosition(function (p) {
    document.getElementById("id_latitude").value = p.coords.latitude.toFixed(6);
    document.getElementById("id_longitude").value = p.coords.longitude.toFixed(6);
  }, function () {}, {timeout: 5000});
}
