from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "bangfu.care"
    label = "care"
    verbose_name = "弱势群体关爱"
