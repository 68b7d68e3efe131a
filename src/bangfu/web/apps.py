from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bangfu.web"
    label = "web"
    verbose_name = "页面"
