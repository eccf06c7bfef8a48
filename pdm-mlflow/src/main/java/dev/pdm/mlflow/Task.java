package dev.pdm.mlflow;

/** The two models trained per dataset. */
public enum Task {
  /** GBTRegressor on {@code rul}; selected by the lowest RMSE over all validation rows. */
  RUL("rul", "rul", "rmse_all_rows", false),
  /** GBTClassifier on {@code fails_within_horizon}; selected by the highest area under the PR curve. */
  FAILURE("failure", "fails_within_horizon", "auc_pr", true);

  private final String id;
  private final String labelColumn;
  private final String selectionMetric;
  private final boolean higherIsBetter;

  Task(String id, String labelColumn, String selectionMetric, boolean higherIsBetter) {
    this.id = id;
    this.labelColumn = labelColumn;
    this.selectionMetric = selectionMetric;
    this.higherIsBetter = higherIsBetter;
  }

  /** Short name: registered model suffix, artifact and metric prefix. */
  public String id() {
    return id;
  }

  /** The gold.features column the model learns. */
  public String labelColumn() {
    return labelColumn;
  }

  /** The cross-validated metric that picks hyperparameters and decides the promotion gate. */
  public String selectionMetric() {
    return selectionMetric;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** Whether {@code a} is strictly better than {@code b} on the selection metric. */
  public boolean better(double a, double b) {
    if (Double.isNaN(a)) {
      return false;
    }
    if (Double.isNaN(b)) {
      return true;
    }
    return higherIsBetter ? a > b : a < b;
  }
}
