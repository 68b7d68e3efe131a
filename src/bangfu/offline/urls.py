from django.urls import path

from bangfu.offline import views

app_name = "offline"
urlpatterns = [
    path("my-village/", views.my_village, name="my_village"),
    path("my-village/key/", views.village_key, name="key"),
    path("my-village/bundle/", views.village_bundle, name="bundle"),
    path("my-village/sync/", views.village_sync, name="sync"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
