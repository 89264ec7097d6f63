from django.db import migrations

from records.fillfactor import set_fillfactor


class Migration(migrations.Migration):
    dependencies = [("balances", "0001_initial"), ("records", "0003_fillfactor")]

    operations = [
        migrations.RunPython(
            *set_fillfactor(
                "balances_counciltaxaccount", "balances_instalment", "balances_transaction"
            )
        )
    ]
