"""The Python reference models: the pydantic v2 models of mcp-refcache's
async timeout fallback, exactly as its task definition
(shared/seeds/000_112f84c2a8c43a6c.txt, "Model Specifications") writes them:
the same fields, types, defaults, constraints and descriptions, nothing added.

They are what the Go schemas are measured against (run_pydantic.py, strict
mode). They differ from the schemas on purpose in several ways, each listed
with its reason in docs/COMPATIBILITY.md: four statuses (no "cancelled"), no
RetryInfo and no TaskInfo.retry_history, no AsyncTaskResponse.message, no
lower bound on TaskProgress.current/total, no upper bounds, started_at any
string, floats that admit NaN and infinities.

Do not "fix" these models: they are the reference, not the contract.
"""

from enum import Enum

from pydantic import BaseModel, Field


class TaskStatus(str, Enum):
    """Status of an async computation."""

    PENDING = "pending"  # Task created but not started
    PROCESSING = "processing"  # Task is running
    COMPLETE = "complete"  # Task finished successfully
    FAILED = "failed"  # Task failed with error


class TaskProgress(BaseModel):
    """Progress information for long-running tasks."""

    current: int | None = Field(default=None, description="Current item/step number")
    total: int | None = Field(default=None, description="Total items/steps expected")
    message: str | None = Field(default=None, description="Human-readable progress message")
    percentage: float | None = Field(default=None, ge=0, le=100, description="Completion percentage")


class TaskInfo(BaseModel):
    """Internal tracking information for an async task."""

    ref_id: str = Field(description="Reference ID for the cached result")
    status: TaskStatus = Field(default=TaskStatus.PENDING, description="Current task status")
    progress: TaskProgress | None = Field(default=None, description="Progress information")
    started_at: float = Field(description="Unix timestamp when task started")
    completed_at: float | None = Field(default=None, description="Unix timestamp when task completed")
    error: str | None = Field(default=None, description="Error message if task failed")
    retry_count: int = Field(default=0, ge=0, description="Number of retry attempts")
    max_retries: int = Field(default=3, ge=0, description="Maximum retry attempts allowed")


class AsyncTaskResponse(BaseModel):
    """Response format for in-flight async computations."""

    ref_id: str = Field(description="Reference ID for polling results")
    status: TaskStatus = Field(description="Current task status")
    progress: TaskProgress | None = Field(default=None, description="Progress if available")
    started_at: str = Field(description="ISO 8601 timestamp when task started")
    eta_seconds: float | None = Field(default=None, ge=0, description="Estimated seconds until completion")
    error: str | None = Field(default=None, description="Error message if status is FAILED")
    retry_count: int = Field(default=0, ge=0, description="Number of retry attempts so far")
    can_retry: bool = Field(default=True, description="Whether the task can be retried")


# The reference model of each schema stem. The seed defines no RetryInfo, so
# retry_info has none.
MODELS = {
    "task_status": TaskStatus,
    "task_progress": TaskProgress,
    "task_info": TaskInfo,
    "async_task_response": AsyncTaskResponse,
}
