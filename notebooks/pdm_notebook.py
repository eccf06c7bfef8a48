"""What the pdm notebooks share: a local SparkSession on a pdm warehouse, its tables by name, and
small helpers for figures.

The session gets Delta from the pdm application jar (``bin/pdm build``; the same Delta the jobs
wrote with) when ``pdm_jar`` names it, and from the ``delta-spark`` pip package's Maven coordinates
otherwise. Tables are registered by name as the jobs do it: every ``<warehouse>/<schema>/<table>``
holding a ``_delta_log``, for schemas bronze, silver, gold and ops. The warehouse may be any Hadoop
path (local, ``s3a://``, ``abfss://``) that the session can list.
"""
import json
import os

from pyspark.sql import SparkSession

SCHEMAS = ("bronze", "silver", "gold", "ops")


def _catalog_dir():
    """The session catalog's directory: CREATE SCHEMA makes an empty directory per schema there (the
    tables stay in the warehouse). One per user, reused, so that sessions leave nothing behind (a
    temporary one per session was left by every kernel, which is killed rather than exited)."""
    path = os.path.join(os.path.expanduser("~"), ".cache", "pdm", "notebook-catalog")
    os.makedirs(path, exist_ok=True)
    return path


def spark_session(warehouse, pdm_jar="", app="pdm-notebook", master=None):
    """A SparkSession with Delta, the warehouse's tables registered by name."""
    builder = (SparkSession.builder
               .master(master or os.environ.get("PDM_MASTER", "local[2]"))
               .appName(app)
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.ui.showConsoleProgress", "false")
               # CREATE SCHEMA makes a directory here; the tables themselves stay in the warehouse
               .config("spark.sql.warehouse.dir", _catalog_dir())
               .config("spark.driver.memory", os.environ.get("PDM_NOTEBOOK_DRIVER_MEMORY", "2g")))
    if os.environ.get("PDM_JAVA_OPTS"):  # more JVM options, as bin/pdm takes them
        builder = builder.config("spark.driver.extraJavaOptions", os.environ["PDM_JAVA_OPTS"])
    if pdm_jar:
        if not os.path.exists(pdm_jar):
            raise FileNotFoundError(f"Cannot use the pdm jar {pdm_jar}: no such file (run bin/pdm build, "
                                    "or set pdm_jar to '' to take Delta from the delta-spark package)")
        builder = builder.config("spark.jars", pdm_jar)
    else:
        from delta import configure_spark_with_delta_pip
        builder = configure_spark_with_delta_pip(builder)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    tables = register_tables(spark, warehouse)
    if "silver.telemetry" not in tables:
        raise FileNotFoundError(f"Cannot open the warehouse {warehouse}: it has no silver.telemetry "
                                "(run bin/pdm demo, or set the warehouse parameter)")
    return spark


def register_tables(spark, warehouse):
    """Registers every Delta table under the warehouse by name; returns the names."""
    jvm = spark.sparkContext._jvm
    root = jvm.org.apache.hadoop.fs.Path(warehouse)
    fs = root.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    names = []
    for schema in SCHEMAS:
        schema_dir = jvm.org.apache.hadoop.fs.Path(root, schema)
        if not fs.exists(schema_dir):
            continue
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        for status in fs.listStatus(schema_dir):
            table_dir = status.getPath()
            if fs.exists(jvm.org.apache.hadoop.fs.Path(table_dir, "_delta_log")):
                name = f"{schema}.{table_dir.getName()}"
                spark.sql(f"CREATE TABLE IF NOT EXISTS {name} USING delta LOCATION '{table_dir.toString()}'")
                names.append(name)
    return sorted(names)


def latest_dataset(spark):
    """The dataset of the most recent feature set: what the last training was about."""
    row = spark.sql("SELECT dataset FROM gold.feature_sets ORDER BY created_at DESC LIMIT 1").first()
    if row is None:
        raise ValueError("Cannot choose a dataset: gold.feature_sets is empty (run bin/pdm features)")
    return row.dataset


def feature_set(spark, dataset, version=None):
    """The feature set (latest, or the given version) as a dict, its definition parsed."""
    where = f"dataset = '{dataset}'" + (f" AND version = {int(version)}" if version else "")
    row = spark.sql(f"SELECT * FROM gold.feature_sets WHERE {where} ORDER BY version DESC LIMIT 1").first()
    if row is None:
        raise ValueError(f"Cannot read the feature set of {dataset}: gold.feature_sets has none")
    fs = row.asDict()
    fs["definition"] = json.loads(fs["definition"])
    return fs


def regime_key(column="setting1"):
    """Operating regime of a C-MAPSS-shaped row from its altitude setting (0, 10, 20, 25, 35, 42 kft):
    the regimes sit at a few exact settings, so rounding tells them apart without a clustering."""
    from pyspark.sql import functions as F
    return F.round(F.col(column)).cast("int")


def demo_metadata(warehouse):
    """What bin/pdm demo wrote about its run (dataset, true RUL file, reports), or {}."""
    path = os.path.join(warehouse, "_demo", "demo.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


class Clock:
    """How a dataset counts time, from its feature set: a cycle fleet's ``cycle`` is an operating
    cycle, and its life and RUL are counted in cycles; a time fleet's ``cycle`` is a tick of
    ``tick_millis`` (the profile's interval) since 2000-01-01, and its life and RUL are in hours
    (README, Time fleets)."""

    def __init__(self, tick_millis=0):
        self.tick_millis = int(tick_millis or 0)
        self.timed = self.tick_millis > 0
        self.unit = "hours" if self.timed else "cycles"
        # ticks (or cycles) per unit
        self.per_unit = 3_600_000 / self.tick_millis if self.timed else 1
        self.position_label = "hours since the first reading" if self.timed else "cycle"

    def span(self, cycles):
        """A Spark column of cycles (a time fleet's ticks) in this clock's unit."""
        return cycles / self.per_unit if self.timed else cycles

    def with_position(self, df, name="position"):
        """``df`` with the column a row is drawn at: its cycle, or a time fleet's hours since its
        asset's first reading in ``df``."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F
        if not self.timed:
            return df.withColumn(name, F.col("cycle"))
        first = F.min("cycle").over(Window.partitionBy("dataset", "asset_id"))
        return df.withColumn(name, self.span(F.col("cycle") - first))

    def band_position(self):
        """What places a gold.features row in a life-stage band (pdm.drift.cycle-bands): its cycle,
        or a time fleet's whole hours of age."""
        from pyspark.sql import functions as F
        return F.floor(F.col("age_hours")).cast("int") if self.timed else F.col("cycle")

    def window_label(self, window):
        """A window as feature names spell it: its cycles, or a time fleet's duration (5m, 2h)."""
        if not self.timed:
            return str(window)
        millis = window * self.tick_millis
        for size, unit in ((86_400_000, "d"), (3_600_000, "h"), (60_000, "m"), (1_000, "s")):
            if millis % size == 0:
                return f"{millis // size}{unit}"
        return f"{millis}ms"


def clock(spark, dataset):
    """The dataset's :class:`Clock`, from its latest feature set (cycles when it has none yet)."""
    try:
        return Clock(feature_set(spark, dataset)["definition"].get("tick_millis", 0))
    except ValueError:
        return Clock(0)


def sensors(spark, dataset):
    """The sensors of the dataset's profile (kept and dropped by its feature set), in silver's order."""
    definition = feature_set(spark, dataset)["definition"]
    known = set(definition["sensors"]) | set(definition.get("dropped_sensors", []))
    return [c for c in spark.table("silver.telemetry").columns if c in known]
