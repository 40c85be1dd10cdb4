"""Import every module that defines tables, so Base.metadata knows them all."""

from hotline import models  # noqa: F401
from hotline.alerts import models as alert_models  # noqa: F401
from hotline.auth import models as auth_models  # noqa: F401
from hotline.planning import models as planning_models  # noqa: F401
from hotline.stats import indexes as stats_indexes  # noqa: F401
from hotline.stats import rollup_models as stats_rollup_models  # noqa: F401
from hotline.voice import models as voice_models  # noqa: F401
