import type { Metadata } from 'next';
import { AuthForm } from '../_components/auth-form.tsx';

export const metadata: Metadata = { title: 'Create an account' };

export default function SignUpPage() {
  return <AuthForm mode="signup" />;
}
