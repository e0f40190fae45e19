"""Cloud profile data files (EKS, GKE, AKS)."""
