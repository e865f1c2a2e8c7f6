from models.base import Base
from models.tables import FsmRecord, Invite, Member, Metric, Team, User

__all__ = ["Base", "FsmRecord", "Invite", "Member", "Metric", "Team", "User"]
