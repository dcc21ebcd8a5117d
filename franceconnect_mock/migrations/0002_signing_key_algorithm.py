# The mock's keys now live on core.oidc's abstract models, shared with the identity provider:
# each key names its algorithm (every existing key is ES256, the only one the mock signs with),
# and one key is active per algorithm. The other changes only touch forms (blank, editable).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('franceconnect_mock', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='signingkey',
            name='franceconnect_mock_one_active_signing_key',
        ),
        migrations.AddField(
            model_name='signingkey',
            name='algorithm',
            field=models.CharField(choices=[('ES256', 'ES256 (ECDSA P-256, recommandé)'), ('RS256', 'RS256 (RSA 2048)')], default='ES256', max_length=5, verbose_name='algorithme'),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='signingkey',
            constraint=models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('algorithm',), name='franceconnect_mock_one_active_signing_key_per_algorithm'),
        ),
        migrations.AlterField(
            model_name='authorizationcode',
            name='nonce',
            field=models.CharField(blank=True, max_length=255, verbose_name='nonce'),
        ),
        migrations.AlterField(
            model_name='serviceprovider',
            name='post_logout_redirect_uris',
            field=models.JSONField(blank=True, default=list, verbose_name='URL de retour après déconnexion'),
        ),
        migrations.AlterField(
            model_name='serviceprovider',
            name='secret_hash',
            field=models.CharField(editable=False, max_length=64, verbose_name='empreinte du secret'),
        ),
    ]
